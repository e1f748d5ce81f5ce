"""The built-in claims: the 72 claims of the five source documents (``../shared/CLAIMS.md``).

Each module declares its claims with ``@claim`` on the functions that check them; the registry
imports the modules listed in :data:`MODULES`, in this order.
"""

#: Seed document of each family (``../shared/seeds/``).
SEED_FILES = {
    "ziyin": "001_e494beef9b3e9713.txt",
    "rusak": "000_f086a3beeb15be55.txt",
    "pokle": "002_ec8a1187d51f1301.txt",
    "lastlayer": "003_a719242326207875.txt",
    "found": "004_6e59cad3ac889e06.txt",
}

#: Modules of ``sslverify.verdicts.builtin`` holding claims, in report order.
MODULES = (
    "ziyin_expansion",
    "ziyin_landscape",
    "ziyin_experiments",
    "rusak",
    "pokle",
    "pokle_experiments",
    "lastlayer",
    "found",
)

#: The families of the built-in claims (the order of ``sslverify list``).
FAMILIES = tuple(SEED_FILES)
