"""`frozen`: `@dataclass(frozen=True)` with a constructor that fills the instance in one step.

The `__init__` that `dataclasses` writes for a frozen class sets each field through
`object.__setattr__` (the class's own `__setattr__` refuses), one looked-up call a field: a
`Document` of 25 fields cost 6 µs to make, and the records of one parse (the document, the page
extract, the body metadata, articles, attachments, links) about a twentieth of the whole parse.
The constructor made here takes the same parameters, defaults and default factories, and sets
the instance's `__dict__` to a dict built in one expression. Everything else is the dataclass's
own: fields, `__eq__`, `__hash__`, `__repr__`, the `__setattr__` that keeps instances frozen,
`dataclasses.replace`, pickling (which restores `__dict__` without calling `__init__`).

Only for frozen dataclasses without `__slots__`, `__post_init__`, `InitVar`/`ClassVar` entries,
keyword-only or `init=False` fields, or a field named like the constructor's own names: anything
else keeps the generated `__init__` (`tests/parsers/test_frozen.py` holds the two constructors
to the same result and the same errors).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10: type checkers see a plain decorator

    def dataclass_transform(**_kwargs):
        return lambda decorator: decorator


T = TypeVar("T")

_SET_DICT = object.__setattr__


# Names the generated constructor uses itself: a field so named keeps the dataclass's constructor.
_RESERVED = frozenset({"self", "_set_dict", "_FACTORY", "_defaults", "_factories"})


def quick_init_source(cls: type) -> str | None:
    """The source of the one-step `__init__` for dataclass `cls`, or None when it cannot have one
    (slots, `__post_init__`, pseudo-fields such as `InitVar` or `ClassVar`, keyword-only fields,
    a field not passed to `__init__`, a field named like the constructor's own names)."""
    if "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        return None
    if len(cls.__dataclass_fields__) != len(dataclasses.fields(cls)):  # InitVar / ClassVar entries
        return None
    params, items = [], []
    for f in dataclasses.fields(cls):
        if not f.init or getattr(f, "kw_only", False) or not f.name.isidentifier() or f.name in _RESERVED:
            return None
        if f.default is not dataclasses.MISSING:
            params.append(f"{f.name}=_defaults[{f.name!r}]")
        elif f.default_factory is not dataclasses.MISSING:
            params.append(f"{f.name}=_FACTORY")
        else:
            params.append(f.name)
        items.append(f"{f.name!r}: {f.name}")
    lines = [f"def __init__(self, {', '.join(params)}):"] if params else ["def __init__(self):"]
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
            lines.append(f"    if {f.name} is _FACTORY: {f.name} = _factories[{f.name!r}]()")
    lines.append(f"    _set_dict(self, '__dict__', {{{', '.join(items)}}})")
    return "\n".join(lines) + "\n"


_FACTORY = object()  # stands for "not given" where the field's default comes from a factory


def quick_init(cls: type[T]) -> type[T]:
    """Give frozen dataclass `cls` the one-step `__init__` (unchanged when it cannot have one)."""
    source = quick_init_source(cls)
    if source is None:
        return cls
    fields = dataclasses.fields(cls)
    namespace: dict[str, Any] = {
        "_set_dict": _SET_DICT,
        "_FACTORY": _FACTORY,
        "_defaults": {f.name: f.default for f in fields if f.default is not dataclasses.MISSING},
        "_factories": {f.name: f.default_factory for f in fields if f.default_factory is not dataclasses.MISSING},
    }
    exec(source, namespace)  # noqa: S102 - the source is made above from the field names alone
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls


@dataclass_transform(frozen_default=True)
def frozen(cls: type[T] | None = None, **options: Any) -> Callable[[type[T]], type[T]] | type[T]:
    """`@frozen` (or `@frozen(eq=False, …)`) for `@dataclass(frozen=True, …)`."""

    def wrap(klass: type[T]) -> type[T]:
        return quick_init(dataclasses.dataclass(frozen=True, **options)(klass))

    return wrap if cls is None else wrap(cls)
