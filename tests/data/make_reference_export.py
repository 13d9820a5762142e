"""Write reference_export.xlsx: an example KoboToolbox export of the reference questionnaire.

    .venv/bin/python tests/data/make_reference_export.py

The workbook has what KoboToolbox writes: group paths in the headers, a select_multiple
question both as one cell of space-separated codes and as one 0/1 column per choice,
metadata columns (_id, _uuid, _submission_time, _validation_status, _index) and the
"contacts" repeat group on a second sheet linked by _parent_index. bench/import_bench.py
builds its 10,000-row file with the same writer.
"""

from pathlib import Path

from openpyxl import Workbook

THEME_CODES = [
    "jeunes",
    "femmes",
    "enfants",
    "transit",
    "diaspora",
    "retour",
    "pdi",
    "developpement",
]
MAIN_HEADERS = [
    "start",
    "end",
    "identification/nom_osc",
    "identification/sigle",
    "identification/autres_noms",
    "identification/type_osc",
    "identification/statut_juridique",
    "identification/enregistrement",
    "identification/recepisse",
    "identification/telephones",
    "identification/emails",
    "identification/site_web",
    "historique/annee_creation",
    "historique/historique",
    "historique/nb_membres",
    "historique/budget",
    "activites/perimetre",
    "activites/perimetre_precision",
    "activites/zones",
    "activites/themes",
    *[f"activites/themes/{code}" for code in THEME_CODES],
    "experience/partenaires",
    "experience/reseaux",
    "expertise/domaines",
    "difficultes/difficultes",
    "dialogue/relations_autorites",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_index",
]
CONTACT_HEADERS = [
    "contacts/nom_contact",
    "contacts/fonction",
    "contacts/telephone_contact",
    "contacts/email_contact",
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
]

EXAMPLE_SUBMISSIONS = [
    {
        "identification/nom_osc": "Association Malienne des Expulsés",
        "identification/sigle": "AME",
        "identification/autres_noms": "Association des Maliens Expulsés",
        "identification/type_osc": "ong_nat",
        "identification/statut_juridique": "formelle",
        "identification/enregistrement": "declaree",
        "identification/recepisse": "N°0241/MATCL-DNI du 1996",
        "identification/telephones": "20 22 44 11; +223 76 45 12 30",
        "identification/emails": "ame@example.org",
        "identification/site_web": "www.expulsesmaliens.info",
        "historique/annee_creation": 1996,
        "historique/historique": "Créée par des Maliens expulsés pour défendre leurs droits.",
        "historique/nb_membres": 150,
        "historique/budget": "moyen",
        "activites/perimetre": "national",
        "activites/perimetre_precision": "National : Bamako et régions",
        "activites/zones": "Bamako; Kayes",
        "activites/themes": "retour transit",
        "experience/partenaires": "Union européenne",
        "experience/reseaux": "",
        "expertise/domaines": "Accueil des expulsés à l'aéroport",
        "difficultes/difficultes": "Financements irréguliers",
        "dialogue/relations_autorites": "Membre du cadre de concertation",
        "_uuid": "3f6c7c3e-0b3a-4a55-9a1e-6f1c5e0a0001",
        "contacts": [("Ousmane Diarra", "Président", "76 45 12 30", "o.diarra@example.org")],
    },
    {
        "identification/nom_osc": "Association des Ressortissants de Diéma pour le Développement",
        "identification/sigle": "ARDD",
        "identification/type_osc": "diaspora",
        "identification/statut_juridique": "formelle",
        "identification/enregistrement": "declaree",
        "identification/telephones": "66 12 34 56",
        "historique/annee_creation": 2004,
        "historique/budget": "faible",
        "activites/perimetre": "cercle",
        "activites/zones": "Cercle de Diéma",
        "activites/themes": "",
        "activites/themes/developpement": 1,
        "activites/themes/jeunes": 1,
        "_uuid": "3f6c7c3e-0b3a-4a55-9a1e-6f1c5e0a0002",
        "contacts": [
            ("Fatoumata Sissoko", "Secrétaire générale", "+223 66 12 34 56", ""),
            ("Bakary Traoré", "Trésorier", "", "b.traore@example.org"),
        ],
    },
    {
        "identification/nom_osc": "Groupement des Femmes Rapatriées de Kayes",
        "identification/type_osc": "retour",
        "identification/statut_juridique": "informelle",
        "identification/enregistrement": "de_fait",
        "historique/budget": "faible",
        "activites/perimetre": "commune",
        "activites/zones": "Kayes",
        "activites/themes": "retour femmes",
        "activites/themes/retour": 1,
        "activites/themes/femmes": 1,
        "_uuid": "3f6c7c3e-0b3a-4a55-9a1e-6f1c5e0a0003",
        "contacts": [],
    },
]


def write_export(path: Path, submissions) -> None:
    """Write submissions (dicts by header, "contacts" a list of 4-tuples) as Kobo would."""
    workbook = Workbook(write_only=True)
    main = workbook.create_sheet("Questionnaire OSC")
    contacts = workbook.create_sheet("contacts")
    main.append(MAIN_HEADERS)
    contacts.append(CONTACT_HEADERS)
    contact_index = 0
    for index, submission in enumerate(submissions, start=1):
        row = dict(submission)
        row.setdefault("_id", 100000 + index)
        row.setdefault("_submission_time", "2022-03-14T10:12:00")
        row.setdefault("_validation_status", "validation_status_approved")
        row["_index"] = index
        for code in THEME_CODES:
            row.setdefault(f"activites/themes/{code}", 0)
        main.append([row.get(header) for header in MAIN_HEADERS])
        for name, role, phone, email in submission.get("contacts", []):
            contact_index += 1
            contacts.append(
                [
                    name,
                    role,
                    phone or None,
                    email or None,
                    contact_index,
                    "Questionnaire OSC",
                    index,
                    row["_id"],
                ]
            )
    workbook.save(path)


if __name__ == "__main__":
    target = Path(__file__).with_name("reference_export.xlsx")
    write_export(target, EXAMPLE_SUBMISSIONS)
    print(f"wrote {target}")
