"""The public-sector pension runs the shared employee pension kernel (``sibrisk.funds.enterprise_pension.kernel``,
contract ``kernels/enterprise_pension.md``); its differences are in the inputs (``inputs.py``, contract
``kernels/public_sector_pension.md``). Re-exported here so that benchmarks and tests name one module per fund."""

from sibrisk.funds.enterprise_pension.kernel import *  # noqa: F401,F403
from sibrisk.funds.enterprise_pension.kernel import project_parallel, project_serial  # noqa: F401
from sibrisk.funds.enterprise_pension.inputs import run_kernel  # noqa: F401
