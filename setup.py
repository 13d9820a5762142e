"""The wheel's one build step of our own: the site's shared files go inside the config package.

In a checkout, `templates/`, `static/`, `locale/` and `fixtures/` sit at its top, where every app
finds them; an installed site has no checkout, so the wheel carries them in `config/`, where
`config/settings.py` looks when it runs outside a checkout. The translations are compiled
(.po -> .mo) on the way, so the wheel needs neither gettext nor an earlier `make messages`.
Everything else (metadata, package discovery, package data) is in pyproject.toml.
"""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

SHARED_DIRS = ("templates", "static", "locale", "fixtures")


def compile_catalogues(root: Path) -> None:
    """Write a .mo beside each .po, skipping fuzzy entries as `pybabel compile` does."""
    for po_path in root.rglob("*.po"):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalogue)


class BuildWithSharedFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        config_dir = Path(self.build_lib) / "config"
        for name in SHARED_DIRS:
            shutil.copytree(
                name,
                config_dir / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("*.mo", ".gitkeep", "__pycache__"),
            )
        compile_catalogues(Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithSharedFiles})
