"""`parsers.frozen`: the one-step constructor makes what the dataclass's own would, or refuses alike."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import articles, layout, metadata, model, term
from parsers.frozen import frozen, quick_init_source

FROZEN_CLASSES = [
    cls
    for module in (model, metadata, articles, term, layout)
    for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
    and cls.__dataclass_params__.frozen
]


def _reference(cls):
    """The same fields as `cls`, with the `__init__` that `dataclasses` writes."""
    specs = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            specs.append((f.name, f.type, dataclasses.field(default=f.default)))
        elif f.default_factory is not dataclasses.MISSING:
            specs.append((f.name, f.type, dataclasses.field(default_factory=f.default_factory)))
        else:
            specs.append((f.name, f.type))
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True)


def test_every_record_of_a_parse_has_the_quick_constructor():
    names = {cls.__name__ for cls in FROZEN_CLASSES}
    assert {"Document", "PageExtract", "Article", "Attachment", "Link", "BodyMeta", "ArticleSplit"} <= names
    for cls in FROZEN_CLASSES:
        assert quick_init_source(cls) is not None, cls
        assert "_set_dict" in cls.__init__.__code__.co_names, cls


values = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.tuples(st.text(max_size=3)))


@pytest.mark.parametrize("cls", FROZEN_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_same_instance_as_the_dataclass_constructor(cls, data):
    ref = _reference(cls)
    fields = dataclasses.fields(cls)
    names = [f.name for f in fields]
    positional = data.draw(st.integers(0, len(names)))
    args = [data.draw(values) for _ in names[:positional]]
    by_name = data.draw(st.sets(st.sampled_from(names[positional:])) if names[positional:] else st.just(set()))
    rest = {name: data.draw(values) for name in sorted(by_name)}
    try:
        expected = ref(*args, **rest)
    except TypeError:
        with pytest.raises(TypeError):
            cls(*args, **rest)
        return
    made = cls(*args, **rest)
    assert vars(made) == vars(expected)
    assert list(vars(made)) == names  # fields in order, as the dataclass sets them
    assert made == cls(**vars(expected)) and hash(made) == hash(cls(**vars(expected)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, fields[0].name, "changed")
    assert pickle.loads(pickle.dumps(made)) == made
    assert dataclasses.replace(made) == made


def test_unknown_and_surplus_arguments_are_refused_as_the_dataclass_refuses():
    with pytest.raises(TypeError):
        model.Link(title="t", url=None, extra=1)
    with pytest.raises(TypeError):
        model.Link("t", None, "surplus")
    with pytest.raises(TypeError):
        model.Link("t", title="twice")


def test_a_default_factory_runs_for_each_instance():
    made = model.PageExtract(paragraphs=())
    assert made.centered == frozenset() and isinstance(made.centered, frozenset)
    assert model.PageExtract(paragraphs=(), centered=frozenset({1})).centered == {1}


def test_classes_it_cannot_serve_keep_the_dataclass_constructor():
    @frozen
    class WithPostInit:
        x: int

        def __post_init__(self):
            object.__setattr__(self, "x", self.x * 2)

    @frozen(slots=True)
    class WithSlots:
        x: int

    assert WithPostInit(2).x == 4
    assert WithSlots(3).x == 3
    assert quick_init_source(WithPostInit) is None and quick_init_source(WithSlots) is None


def test_classes_the_one_step_constructor_would_get_wrong_keep_the_dataclass_constructor():
    @frozen(kw_only=True)
    class KeywordOnly:
        a: int
        b: int = 2

    @frozen
    class AfterKwOnly:
        a: int
        _: dataclasses.KW_ONLY
        b: int

    @frozen
    class WithInitVar:  # this module's annotations are strings, as in every parsers module
        a: int
        tmp: dataclasses.InitVar[int] = 0

    @frozen
    class NamedLikeTheConstructor:
        self: int
        _set_dict: int = 0

    with pytest.raises(TypeError):
        KeywordOnly(1, 3)
    assert KeywordOnly(a=1).b == 2
    assert AfterKwOnly(1, b=2).b == 2
    assert WithInitVar(1, tmp=5).a == 1
    assert NamedLikeTheConstructor(1, 2)._set_dict == 2
    for cls in (KeywordOnly, AfterKwOnly, WithInitVar, NamedLikeTheConstructor):
        assert quick_init_source(cls) is None, cls
