"""Every Jinja2 environment of worksheetkit comes from the one factory, and its policy holds."""

from __future__ import annotations

import ast
from pathlib import Path

import jinja2
import pytest

from worksheetkit._templates import make_environment
from worksheetkit.preview.app import _env as preview_env
from worksheetkit.rendering._env import environment as rendering_env
from worksheetkit.reports import environment as reports_env
from worksheetkit.site import _env as site_env

SRC = Path(__file__).resolve().parents[1] / "src" / "worksheetkit"
FACTORY = SRC / "_templates.py"


def _environment_calls(path: Path) -> list[int]:
    """Lines that construct a Jinja2 environment (``Environment(…)``, ``jinja2.Environment(…)``,
    ``SandboxedEnvironment(…)``, or anything imported as such)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {"Environment", "SandboxedEnvironment", "NativeEnvironment"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jinja2"):
            names |= {a.asname for a in node.names if a.asname and a.name in names}
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in names:
            lines.append(node.lineno)
    return lines


def test_no_environment_outside_the_factory() -> None:
    offenders = [
        f"{path.relative_to(SRC.parent)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if path != FACTORY
        for line in _environment_calls(path)
    ]
    assert offenders == [], "make Jinja2 environments with worksheetkit._templates.make_environment"
    assert _environment_calls(FACTORY), "the factory itself builds the environment"


ENVIRONMENTS = {
    "rendering": rendering_env,
    "reports": reports_env,
    "site": site_env,
    "preview": preview_env,
}


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_every_package_environment_has_the_policy(name: str) -> None:
    env = ENVIRONMENTS[name]()
    assert env.undefined is jinja2.StrictUndefined
    assert callable(env.autoescape)
    for template in ("a.html", "a.html.j2", "a.xml", "a.HTM", "a.unknown"):
        assert env.autoescape(template) is True, template
    for template in ("a.md", "a.md.j2", "a.txt"):
        assert env.autoescape(template) is False, template
    assert {"md", "safe_json"} <= set(env.filters)


def _dict_env(templates: dict[str, str]) -> jinja2.Environment:
    env = make_environment("worksheetkit.rendering")
    env.loader = jinja2.DictLoader(templates)
    return env


def test_html_is_escaped_by_extension_and_markdown_is_not() -> None:
    env = _dict_env({"x.html": "{{ v }}", "x.html.j2": "{{ v }}", "x.md": "{{ v | md }}"})
    assert env.get_template("x.html").render(v="<b>") == "&lt;b&gt;"
    assert env.get_template("x.html.j2").render(v="<b>") == "&lt;b&gt;"
    # Markdown templates escape with the one Markdown escaper, never with HTML entities twice
    assert env.get_template("x.md").render(v="<b> *x*") == "&lt;b&gt; \\*x\\*"
    assert env.from_string("{{ v }}").render(v="<b>") == "&lt;b&gt;"


def test_undefined_names_raise() -> None:
    env = _dict_env({"x.html": "{{ missing }}", "y.md": "{{ v.missing }}"})
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("x.html").render()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("y.md").render(v={})


def test_safe_json_escapes_script_breakers() -> None:
    env = _dict_env({"x.html": "<script>{{ v | safe_json }}</script>"})
    out = env.get_template("x.html").render(v='{"a": "</script><!--&\'"}')
    assert "</script><" not in out.removesuffix("</script>")
    assert "\\u003c/script\\u003e" in out


def test_a_template_folder_overrides_by_name(tmp_path: Path) -> None:
    (tmp_path / "page.html.j2").write_text("{{ v }}", encoding="utf-8")
    env = make_environment("worksheetkit.rendering", template_dir=str(tmp_path))
    assert env.get_template("page.html.j2").render(v="<i>") == "&lt;i&gt;"
    assert env.get_template("items.html.j2") is not None  # the rest from the package
