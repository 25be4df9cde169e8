import sys

from sibrisk.cli import main

sys.exit(main())
