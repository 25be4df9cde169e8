"""Public-sector basic pension (机关事业单位基本养老保险): since the 2014 reform (国发〔2015〕2号, effective 2014-10-01)
the same formula family as the enterprise scheme (employer 16% since 2019-05, employee 8% into an 8% individual
account; basic pension by the 国发〔2005〕38号 formula; a transitional pension for deemed service before 2014-10), so
the employee pension model is reused (``sibrisk.funds.enterprise_pension``) with this scheme's scenario and one rule
of its own: the 10-year transition (2014-10 to 2024-09, 新老办法对比, 保低限高), folded into the transitional
coefficient of those retiring in it (``inputs.py``). The occupational annuity (职业年金) is outside the basic fund and
is not modelled.

Files: ``parameters`` (the employee pension sections plus ``[transition]``), ``inputs`` (scenario -> kernel arrays),
``kernel``/``reference`` (the shared kernel and its NumPy twin), ``calibration`` (how the default scenario was
made). Contract: ``kernels/public_sector_pension.md``.
"""

from __future__ import annotations

from sibrisk.funds.enterprise_pension import DETAIL_VARIABLES, VARIABLES, EmployeePensionFund
from sibrisk.funds.public_sector_pension.parameters import PublicSectorScenario


class PublicSectorPensionFund(EmployeePensionFund):
    """The employee pension model with the public-sector transition folded into its inputs
    (``public_sector_pension/inputs.py``, reached by the base class's ``build_inputs``)."""


FUND = PublicSectorPensionFund(
    id="public_sector_pension", long_name="Basic pension insurance for government agencies and public institutions",
    long_name_zh="机关事业单位基本养老保险", scenario_model=PublicSectorScenario,
    default_scenario="public_sector_pension_national", variables=VARIABLES, detail_variables=DETAIL_VARIABLES,
    population_note="contributors: insured staff of government agencies and public institutions contributing; "
                    "beneficiaries: their retirees drawing a pension")
