"""Write the demo's local `.env` (DEBUG=1 and a generated SECRET_KEY) unless one exists.

config/settings.py reads it for variables the environment does not set, so that the
README's `python manage.py …` commands work as written on the demo. Production sets real
environment variables and keeps no `.env`.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / ".env"
if path.exists():
    print(f"{path} kept as it is")
else:
    path.write_text(
        "# Written by `make demo` for the local demo only; production uses real environment\n"
        "# variables (see README, Production).\n"
        f"DEBUG=1\nSECRET_KEY={secrets.token_urlsafe(50)}\n"
        "# Card payments go to a local fake provider: no money is taken.\n"
        "BURON_PAYMENT_ADAPTER=buron.billing.fakecard.FakeCardPayments\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    print(f"{path} written (DEBUG=1, a new SECRET_KEY)")
