"""``make bench``: the quick version of every benchmark, one after the other."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("lists.py", "claims.py", "push.py", "memory.py"):
    print(f"\n== bench/{script} --quick", flush=True)
    subprocess.run([sys.executable, str(HERE / script), "--quick", *sys.argv[1:]], check=True)
