"""`python -m examples.app`: serve the reference app on http://127.0.0.1:8000."""

import os

import uvicorn
from examples.app.app import create_app

uvicorn.run(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
