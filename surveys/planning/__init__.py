"""Turn a survey file and a mapping into a plan: what each row would change.

Nothing is written here. The plan lists, per row, whether it creates an organisation,
updates one (field by field), changes nothing, or cannot be imported and why (with row
and column numbers). The same plan is shown in the preview and then applied.

One module per purpose: `plan` (the plan's data), `columns` (locating columns), `cells`
(reading cells), `rows` (building a row, with `contacts` and `entries` for its parts),
`reconciling` (matching rows with existing organisations and deciding what changes),
`labels` (what the preview shows) and `build` (`build_plan`, the entry point). Names with
a leading underscore are private to this package.
"""
