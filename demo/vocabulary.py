"""French words the demo generator composes organisation and person names from.

Names of places come from the zones in the database; nothing here is tied to a country
except the minimal catalogue, used only when the database has no geography at all.
"""

ORGANISATION_KINDS = [
    "Association",
    "Association",
    "Association",
    "ONG",
    "ONG",
    "Groupement",
    "Coopérative",
    "Collectif",
    "Union",
    "Fédération",
    "Amicale",
    "Plateforme",
]
# "Association des ressortissants de Kayes", "ONG Jigiya pour l'insertion des jeunes"…
MEMBERS = [
    "des ressortissants",
    "des jeunes",
    "des femmes",
    "des migrants de retour",
    "des rapatriés",
    "des expulsés",
    "de la diaspora",
    "des travailleurs migrants",
    "des familles de migrants",
    "des émigrés",
]
PURPOSES = [
    "pour le développement",
    "pour l'insertion des jeunes",
    "pour la réintégration des migrants de retour",
    "pour la migration sûre",
    "d'aide aux migrants",
    "pour la solidarité",
    "pour l'emploi des jeunes",
    "pour la protection des enfants",
    "pour l'accès aux droits",
    "de lutte contre la traite des personnes",
    "pour l'autonomisation des femmes",
    "d'entraide",
]
# Words in national languages that many West African associations take as a name.
NICKNAMES = [
    "Benkadi",
    "Jigiya",
    "Badenya",
    "Sinignesigi",
    "Yeredon",
    "Danaya",
    "Hakili",
    "Teriya",
    "Baara",
    "Kènèya",
    "Nafa",
    "Sabati",
    "Tonw",
    "Jekafo",
    "Hinè",
    "Dimbaya",
]
ADJECTIVES = ["Espoir", "Avenir", "Solidarité", "Horizon", "Entraide", "Lumière", "Unité"]

FIRST_NAMES = [
    "Aminata",
    "Moussa",
    "Fatoumata",
    "Ibrahim",
    "Mariam",
    "Oumar",
    "Awa",
    "Seydou",
    "Kadiatou",
    "Boubacar",
    "Salif",
    "Djeneba",
    "Mamadou",
    "Hawa",
    "Adama",
    "Rokia",
    "Souleymane",
    "Assitan",
    "Bakary",
    "Oumou",
    "Youssouf",
    "Kadidia",
    "Amadou",
    "Safiatou",
]
LAST_NAMES = [
    "Traoré",
    "Diarra",
    "Coulibaly",
    "Keïta",
    "Konaté",
    "Diallo",
    "Sidibé",
    "Touré",
    "Sangaré",
    "Doumbia",
    "Camara",
    "Sissoko",
    "Kanté",
    "Dembélé",
    "Maïga",
    "Cissé",
    "Ouédraogo",
    "Ndiaye",
    "Bah",
    "Sow",
]
ROLES = [
    "Président",
    "Présidente",
    "Secrétaire général",
    "Secrétaire générale",
    "Coordinateur",
    "Coordinatrice",
    "Trésorier",
    "Chargée de programme",
    "Directeur exécutif",
]
ACTIVITIES = [
    "accueille et oriente les migrants",
    "accompagne la réinsertion des migrants de retour",
    "sensibilise les jeunes aux risques de la migration irrégulière",
    "finance des activités génératrices de revenus",
    "forme les femmes à la gestion de petites entreprises",
    "mobilise la diaspora pour des projets de développement local",
    "défend les droits des travailleurs migrants",
    "apporte une aide d'urgence aux personnes déplacées",
]

# Demo phones of a country libphonenumber has no numbering plan for.
DEFAULT_PHONE_REGION = "ML"

# Used only when the database has no zones: a country, a few regions and cercles of each,
# and countries of the diaspora.
MINIMAL_GEOGRAPHY = {
    ("Mali", "ML"): {
        "Kayes": ["Kayes", "Diéma", "Nioro du Sahel", "Yélimané"],
        "Koulikoro": ["Kati", "Koulikoro", "Banamba"],
        "Sikasso": ["Sikasso", "Bougouni", "Koutiala"],
        "Ségou": ["Ségou", "San", "Niono"],
        "Mopti": ["Mopti", "Bandiagara", "Djenné"],
        "Bamako": ["Bamako"],
    },
}
MINIMAL_FOREIGN_COUNTRIES = [
    ("France", "FR"),
    ("Côte d'Ivoire", "CI"),
    ("Espagne", "ES"),
    ("Gabon", "GA"),
]
MINIMAL_THEMES = [
    ("Migration de retour et réinsertion", "Return migration and reintegration"),
    ("Sensibilisation aux risques de la migration irrégulière", "Awareness of irregular migration"),
    ("Droits des migrants", "Migrants' rights"),
    ("Lutte contre la traite des personnes", "Fight against human trafficking"),
    ("Migration et développement", "Migration and development"),
    ("Personnes déplacées internes", "Internally displaced persons"),
    ("Insertion socio-économique des jeunes", "Economic inclusion of young people"),
]
MINIMAL_TYPOLOGIES = [
    ("Organisations locales", "Local organisations"),
    ("Associations et ONG nationales", "National associations and NGOs"),
    ("Organisations des diasporas", "Diaspora organisations"),
    ("Associations de migrants de retour", "Returnee associations"),
    ("Réseaux et plateformes", "Networks and platforms"),
]
MINIMAL_NETWORKS = [
    ("Réseau national des associations de migrants", "RNAM", "national"),
    ("Plateforme ouest-africaine migration et développement", "POAMD", "african"),
    ("Forum international des diasporas", "FID", "international"),
]
MINIMAL_PARTNERS = [
    ("Agence de coopération de démonstration", "ACD", "bilateral"),
    ("Fonds fiduciaire de démonstration", "FFD", "eu"),
    ("Organisation internationale de démonstration", "OID", "un"),
    ("Région partenaire de démonstration", "", "local_government"),
]
MINIMAL_NEED_CATEGORIES = [
    ("Gestion administrative et financière", "Administrative and financial management"),
    ("Communication et plaidoyer", "Communication and advocacy"),
    ("Mobilisation de ressources", "Resource mobilisation"),
    ("Équipement", "Equipment"),
]

# Demo services: (French name, English name), drawn for each organisation.
SERVICES = [
    ("Accueil et orientation", "Reception and referral"),
    ("Hébergement temporaire", "Temporary shelter"),
    ("Assistance juridique", "Legal aid"),
    ("Soutien psychosocial", "Psychosocial support"),
    ("Aide à la réinsertion économique", "Economic reintegration support"),
    ("Ligne d'écoute", "Helpline"),
    ("Soins de santé de base", "Basic health care"),
    ("Recherche de familles", "Family tracing"),
]
