"""block_reason: anti-bot, WAF and challenge responses recognised; real pages never flagged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.blocking import block_reason
from tests.conftest import PAGES, RENDERINGS

# The first answer of a 加速乐 challenge: a script-only body computing __jsl_clearance_s.
JSL_FIRST = (
    "<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')+('c')+('e')"
    "+('_')+('s')+('=')+(-~{}+'')+(7+'')+(3+'')+('.')+(-~[7]+'')+('|')+('0')+('|')+('BNVMH65p0N9580f3nELVxfBlj1g')"
    "+('%')+(3+'')+('D')+';max-age=3600;path=/';location.href=location.pathname+location.search</script>"
)
# The second answer: go({...}) with the hash parameters.
JSL_SECOND = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
    '<script>;go({"bts":["1718590950.375|0|BN","Blj1g%3D"],"chars":"abcdefghijklmnopqrstuvwxyz","ct":"a1b2c3",'
    '"ha":"sha1","is":true,"tn":"__jsl_clearance_s","vt":"3600","wt":"1500"})</script></body></html>'
)
WZWS_SHELL = (
    "<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'></head><body>"
    "<script type=\"text/javascript\">var dynamicurl=\"/WZWSRELw==\";var wzwsquestion=\"U(b2Fw?sa\";"
    "var wzwsfactor=\"5727\";var wzwsmethod=\"post\";var wzwsparams=\"\";"
    "function HXXTTKKLLPPP5(){var x=wzwsquestion+wzwsfactor;location.href=dynamicurl+'?wzwschallenge='+x;}"
    "HXXTTKKLLPPP5();</script></body></html>"
)
KNOWNSEC_BLOCK = (
    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"UTF-8\"><title>知道创宇云防御</title>"
    "<style>.main{width:600px;margin:80px auto;text-align:center}</style></head><body><div class=\"main\">"
    "<img src=\"https://static.yunaq.com/static/images/logo.png\"><h2>当前访问疑似黑客攻击，已被创宇盾拦截。</h2>"
    "<p>拦截时间：2026-08-28 10:12:45</p><p>事件ID：a1b2c3d4e5f6</p><p>如果您是网站管理员，请登录创宇盾查看详情</p>"
    "</div></body></html>"
)
GENERIC_BLOCKED = "<html><head><title>提示</title></head><body><h1>访问被拦截</h1><p>您的请求存在异常，请稍后再试。</p></body></html>"
ACCESS_DENIED = "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission to access this server.</BODY></HTML>"
# /xxgk/zcfb/ itself: a small script redirect to the first column, not a block.
COLUMN_REDIRECT = '<html><head><script>window.location.href="./fzggwl/";</script></head><body></body></html>'


@pytest.mark.parametrize(
    "body, status, reason",
    [
        (JSL_FIRST, 521, "jsl_challenge"),
        (JSL_FIRST.encode(), 412, "jsl_challenge"),
        (JSL_SECOND, 521, "jsl_challenge"),
        (WZWS_SHELL, 200, "wzws_challenge"),
        (KNOWNSEC_BLOCK, 200, "knownsec_block"),
        (KNOWNSEC_BLOCK.encode("gb18030"), None, "knownsec_block"),
        (GENERIC_BLOCKED, 200, "access_blocked"),
        (ACCESS_DENIED, 403, "access_denied"),
        ("<html><body>Too Many Requests</body></html>", 429, "rate_limited"),
        ("<html><body><p>稍候</p></body></html>", 429, "status_429"),
        ("<html><body><p>Forbidden page</p></body></html>", 403, "status_403"),
        ("<html><body><p>请稍候……</p></body></html>", 412, "status_412"),
        ("<html><body><p>请稍候……</p></body></html>", 521, "status_521"),
        ("<script>document.cookie='acw_sc__v2=5f1e';location.reload()</script>", 200, "cookie_challenge"),
        (b"", 200, "empty_body"),
        ("  \n ", None, "empty_body"),
        (None, 200, "empty_body"),
    ],
)
def test_block_pages(body, status, reason):
    assert block_reason(body, status) == reason


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
@pytest.mark.parametrize("as_bytes", [True, False])
def test_real_pages_are_never_flagged(name, as_bytes):
    body = (PAGES / name).read_bytes() if as_bytes else (PAGES / name).read_text(encoding="utf-8")
    assert block_reason(body, 200) is None
    assert block_reason(body) is None


def test_real_rendering_is_not_flagged():
    assert block_reason((RENDERINGS / "tz_2022_408_rendering.txt").read_bytes(), 200) is None


def test_script_redirect_and_not_modified_are_not_blocks():
    assert block_reason(COLUMN_REDIRECT, 200) is None
    assert block_reason(b"", 304) is None


def test_long_document_quoting_a_block_phrase_is_not_flagged():
    page = (PAGES / "tz_t20260828_1407232.html").read_text(encoding="utf-8")
    long_body = "<p>　　各单位要加强网站防护，对“访问被拦截”“Access Denied”等异常及时处置，创宇盾等产品……</p>" * 40
    page = page.replace("（本文有删减）", "（本文有删减）" + long_body)
    assert block_reason(page, 200) is None


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.binary(max_size=2000), st.text(max_size=2000)), st.one_of(st.none(), st.integers(100, 599)))
def test_fuzz_never_raises(body, status):
    reason = block_reason(body, status)
    assert reason is None or (isinstance(reason, str) and reason)
