"""The public API, pinned: a change here is a change users see."""

import sibrisk


def test_top_level_names():
    for name in ["load_scenario", "project", "Scenario", "InputError", "indicators", "__version__"]:
        assert hasattr(sibrisk, name), name


def test_sensitivity_api():
    import inspect

    assert callable(sibrisk.sensitivity) and callable(sibrisk.sensitivity_tornado)
    from sibrisk.sensitivity import sensitivity

    assert callable(sibrisk.sensitivity)  # the module, once imported, forwards calls to the function
    assert list(inspect.signature(sensitivity).parameters)[:2] == ["scenario", "variations"]
    assert list(inspect.signature(sibrisk.solve).parameters)[:2] == ["scenario", "lever"]


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


def test_fund_generic_api():
    for name in ["get", "implemented", "list_funds", "FUND_IDS"]:
        assert hasattr(sibrisk.funds, name), name
    assert len(sibrisk.funds.FUND_IDS) == 7
    assert hasattr(sibrisk, "province_total")
    for name in ["mortality_paths", "population_paths", "fit_lee_carter", "load_lee_carter", "qx"]:
        assert hasattr(sibrisk.demography, name), name
    for name in ["economic_paths", "fit_var", "fit_arima", "historical_series", "assumption_model"]:
        assert hasattr(sibrisk.economy, name), name
    fund = sibrisk.funds.get("enterprise_pension")
    for name in ["build_inputs", "run", "scenario_model", "default_scenario", "variables"]:
        assert hasattr(fund, name), name


def test_sensitivity_stays_the_function_after_its_module_is_imported():
    """``sibrisk.sensitivity`` is the function even after ``import sibrisk.sensitivity`` (the CLI imports it); it
    used to become the module, so ``sibrisk.sensitivity(sc, ...)`` failed in any process that had run the CLI."""
    import importlib

    import sibrisk
    importlib.import_module("sibrisk.sensitivity")
    import sibrisk.cli  # noqa: F401

    sc = sibrisk.load_scenario("enterprise_pension_national").with_updates({"projection.years": 12})
    table = sibrisk.sensitivity(sc, {"economy.interest_rate": [0.015, 0.035]}, horizon=2030)
    assert list(table.variant) == ["base", "low", "high"]
    assert table.balance_months_at_horizon.iloc[1] < table.balance_months_at_horizon.iloc[2]
