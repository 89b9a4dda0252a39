#!/usr/bin/env python3
"""Check the gold files of this corpus with the checks of ../corpus_styles/validate_gold.py (imported, not copied),
pointed at this folder, with the metonyms these articles use."""
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("styles_validate", HERE.parent / "corpus_styles" / "validate_gold.py")
validator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validator)
validator.HERE = HERE
validator.METONYMS.update({
    "China": ["Beijing"],
    "Chile": ["Santiago"],
    "Bolivia": ["La Paz"],
    "Kyrgyzstan": ["Bishkek"],
    "South Sudan": ["Juba"],
    "Indonesia": ["Jakarta"],
    "India": ["New Delhi"],
})

if __name__ == "__main__":
    validator.main()
