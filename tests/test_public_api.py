"""The public API, pinned: a change here is a change users see."""

import sibrisk


def test_top_level_names():
    for name in ["load_scenario", "project", "Scenario", "InputError", "indicators", "__version__"]:
        assert hasattr(sibrisk, name), name


def test_indicator_api():
    for name in ["balance_months", "actuarial_balance", "actuarial_balance_of", "general_average_premium",
                 "compute", "list_indicators", "get", "register", "REGISTRY", "depletion_year",
                 "probability_of_depletion"]:
        assert hasattr(sibrisk.indicators, name), name


def test_signatures():
    import inspect

    sig = inspect.signature(sibrisk.indicators.actuarial_balance)
    assert list(sig.parameters)[:3] == ["income", "cost", "payroll"]
    for kw in ["initial_fund", "discount_factor", "interest_rate", "next_year_cost", "target_ratio"]:
        assert sig.parameters[kw].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(sibrisk.project).parameters)[0] == "scenario"
