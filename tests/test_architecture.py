"""Imports follow the apps' layers (config/layers.py): read from every production module."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from config.layers import APPS, LAYERS, layer_of

ROOT = Path(settings.BASE_DIR)


def production_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(app: str, where: str, source: str) -> list[str]:
    """The imports of ``source`` (a module of ``app``) against the order."""
    wrong = []
    for line, module in imported_modules(source):
        target = module.split(".")[0]
        if target in APPS and layer_of(target) > layer_of(app):
            wrong.append(f"{where}:{line} imports {module} ({app} is below {target})")
        # Django's ORM package (fields and Model for type hints) is no app's models.
        elif app == "common" and module.endswith(".models") and module != "django.db.models":
            wrong.append(f"{where}:{line} imports {module} (common uses no app's models)")
    return wrong


def test_it_finds_every_module_of_every_app():
    modules = production_modules()
    assert {path.relative_to(ROOT).parts[0] for path in modules} == set(APPS)
    assert ROOT / "organisations" / "models" / "organisation.py" in modules
    assert not any("migrations" in path.parts for path in modules)


def test_every_project_app_has_a_layer():
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert ours <= set(APPS)
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages - {"tests", "bench"} == set(APPS)


def test_no_module_imports_a_layer_above_its_own():
    wrong = []
    for path in production_modules():
        where = str(path.relative_to(ROOT))
        wrong += violations(path.relative_to(ROOT).parts[0], where, path.read_text("utf-8"))
    assert wrong == []


@pytest.mark.parametrize(
    ("app", "source", "found"),
    [
        ("organisations", "from crm.admin import AssignmentInline", 1),
        ("needs", "import crm.display", 1),
        ("jobs", "from exports.records import organisation_records", 1),
        ("common", "from organisations.models import Organisation", 1),
        ("common", "from django.contrib.auth.models import User", 1),
        ("common", "from django.db.models import Field, Model", 0),
        ("networks", "def f():\n    from directory.filters import BY_NAME\n", 1),
        ("crm", "from exports.admin_actions import EXPORT_ACTIONS", 0),
        ("needs", "from organisations.models import Organisation\nfrom common import text", 0),
    ],
)
def test_it_tells_an_import_against_the_order(app, source, found):
    assert len(violations(app, "module.py", source)) == found


def test_common_declares_no_model_and_is_no_app():
    assert "common" not in settings.INSTALLED_APPS
    assert not (ROOT / "common" / "models.py").exists()
    assert LAYERS[0] == ("common",)
