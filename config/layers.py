"""The apps' dependency order, bottom to top: a module imports from its own layer and the
layers below it, never from one above (tests/test_architecture.py reads every import).

- ``common``: model-free rules (text folding, formula safety, phones, bulk writing).
- ``jobs``: generic background work; each feature declares its own runner.
- ``organisations`` and ``pagecache``: the directory's core records and the page cache stamp.
- ``networks``, ``needs`` and ``services``: records built on organisations.
- the features: the public directory, exports and API, survey imports, follow-up (crm,
  which assembles the staff's organisation page), demo data, corrections (proposals from the
  public and the organisations, their update links, the staff's review).
- ``outreach``: what is sent to organisations and editors (update links one by one or in
  campaigns, the editors' digest), built on the features.
- ``config``: settings and URLs, which put everything together.
"""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("common",),
    ("jobs",),
    ("organisations", "pagecache"),
    ("networks", "needs", "services"),
    ("directory", "exports", "surveys", "crm", "demo", "corrections"),
    ("outreach",),
    ("config",),
)

APPS: tuple[str, ...] = tuple(app for layer in LAYERS for app in layer)


def layer_of(app: str) -> int:
    """The position of ``app``'s layer, 0 at the bottom."""
    return next(index for index, layer in enumerate(LAYERS) if app in layer)
