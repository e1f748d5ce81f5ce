"""``python -m sslverify`` is the ``sslverify`` command."""
from sslverify.verdicts.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
