"""Payment contracts as registered components: capitation, case rate, P4P and shared savings.

A payment contract is a :class:`PaymentContract` (kind ``contract`` in
:mod:`intsim.params.components`). Its terms are parameters ``contracts.<payer>.<field>`` (one
per payer, :func:`intsim.params.components.per_payer`), and its :meth:`PaymentContract.payments`
turns one payer's month-by-month record into the programme's payments from that payer (USD per
month). :func:`intsim.money.ledger.build_ledger` loops over the registered contracts in
registration order for each payer; a contract sees the payer's revenue and cost as the
contracts before it left them, so P4P is a share of revenue including capitation and case rates,
and shared savings compare a cost of care that includes them. Each contract's payments become
the ledger line ``revenue_<name>`` (its one :meth:`~PaymentContract.define_results` column).

The pure formulas live in :mod:`intsim.money.payment_models`; the built-in contracts' terms are
declared in :mod:`intsim.params.money` and selected from there by ``define_pars``.

Recorded in docs/decisions/0075-payment-contracts-settle-per-payer.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, override

import numpy as np
from numpy.typing import NDArray

from intsim.measures import P4P_MEASURE_MONTHS
from intsim.money import finance
from intsim.money import payment_models as pm
from intsim.money.claims import MonthBilling
from intsim.params import Param, components
from intsim.params.components import Component, declared_section, register

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PayerRecord:
    """What a contract sees of one payer's months (arrays have one value per month).

    Attributes:
        values: The scenario values (``values.contracts``, ``values.payers``, ...).
        payer: Payer name, e.g. ``medicare``.
        terms: The payer's contract values (``values.contracts.<payer>``).
        monthly: The run's monthly columns (``members_<payer>``, ``active_cocm``, quality
            indicators, ...).
        counterfactual: The usual-care counterfactual's monthly columns, or ``None``.
        billing: The run's claims by month (:class:`~intsim.money.claims.MonthBilling`).
        members: The payer's members in the panel per month.
        revenue: The programme's revenue from this payer so far (claims, then the payments of
            the contracts registered before this one), USD per month.
        payer_cost: The payer's cost so far: its members' total cost of care, the claims it paid
            and the earlier contracts' payments, USD per month.
    """

    values: Any
    payer: str
    terms: Any
    monthly: Mapping[str, FloatArray]
    counterfactual: Mapping[str, FloatArray] | None
    billing: Sequence[MonthBilling]
    members: FloatArray
    revenue: FloatArray
    payer_cost: FloatArray


class PaymentContract(Component):
    """Base class of a payment contract (a registered component of kind ``contract``).

    Attributes:
        collected: Whether the payments are paid with the month's claims and count as
            collections (capitation, case rates: the billing cost applies to them); annual
            settlements (P4P, shared savings) are not.
    """

    kind: ClassVar[str] = "contract"
    collected: ClassVar[bool] = False

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The contract's ledger line, ``revenue_<name>``."""
        return (f"revenue_{cls.name}",)

    @classmethod
    def payments(cls, record: PayerRecord) -> FloatArray:
        """The programme's payments from one payer under this contract, USD per month.

        Every contract defines it; the base class has no payments to make.
        """
        raise NotImplementedError(f"contract {cls.name!r} must define payments(record)")

    @classmethod
    def month_payment(cls, terms: Any, members: float, live_share: float, episodes: int) -> float:
        """One month's payment as a manager sees it during the month (USD; 0 by default).

        The ``net_positive`` rollout gate reads the operating net of each month as it happens
        (:meth:`intsim.sim.model.ClinicModel.operating_net`); contracts paid with the month
        (capitation, case rates) say what they pay here, annual settlements pay nothing yet.

        Args:
            terms: The payer's contract values (``contracts.<payer>``).
            members: The payer's members in the panel this month.
            live_share: Share of PCP teams live this month.
            episodes: New CoCM episodes of the payer's members this month.
        """
        del terms, members, live_share, episodes  # the default pays nothing during the month
        return 0.0


def by_year(monthly: FloatArray) -> FloatArray:
    """Totals per 12-month year (an empty array for an empty series)."""
    return finance.annual_totals(monthly) if len(monthly) else np.zeros(0)


def case_rate_usd(contract: Any) -> float:
    """The contract's case rate per new CoCM episode (USD; 0 unless ``case_rate`` is on)."""
    return float(contract.case_rate_usd) if contract.case_rate else 0.0


def p4p_payments(
    contract: Any, monthly: Mapping[str, Any], payer_revenue: FloatArray
) -> FloatArray:
    """Annual P4P bonus on a payer's integration revenue, paid after each performance year.

    Args:
        contract: The payer's contract values (``contracts.<payer>``).
        monthly: The run's monthly table (or its columns): the quality indicators.
        payer_revenue: The payer's integration revenue per month (USD), the bonus base.
    """
    n = len(payer_revenue)
    if contract.p4p_bonus_share <= 0:
        return np.zeros(n)
    horizon = P4P_MEASURE_MONTHS[contract.p4p_measure]
    measured = by_year(np.asarray(monthly[f"quality_measured_{horizon}m"], float))
    met = by_year(np.asarray(monthly[f"quality_met_{horizon}m"], float))
    base = by_year(payer_revenue)
    bonus = np.array(
        [
            pm.p4p_bonus(
                base[y],
                met[y] / measured[y] if measured[y] else None,
                contract.p4p_target,
                contract.p4p_bonus_share,
            )
            if (y + 1) * 12 <= n
            else 0.0  # only complete performance years are settled
            for y in range(len(base))
        ]
    )
    return pm.reconciliation_schedule(bonus, n, contract.p4p_payment_lag_months)


def shared_savings_payments(
    contract: Any, actual_tcoc: FloatArray, counterfactual_tcoc: FloatArray
) -> FloatArray:
    """Annual shared-savings settlements against the counterfactual benchmark.

    See docs/billing.md 5.1.
    """
    n = len(actual_tcoc)
    actual = by_year(actual_tcoc)
    bench = by_year(counterfactual_tcoc) * (1.0 + contract.ss_benchmark_trend) ** np.arange(
        len(actual)
    )
    settle = np.array(
        [
            pm.shared_savings(
                bench[y],
                actual[y],
                minimum_savings_rate=contract.ss_minimum_savings_rate,
                sharing_rate=contract.ss_sharing_rate,
                quality_score=contract.ss_quality_score,
                savings_cap_rate=contract.ss_cap_rate,
                two_sided=contract.ss_two_sided,
                loss_sharing_rate=contract.ss_loss_sharing_rate,
                loss_cap_rate=contract.ss_loss_cap_rate,
                practice_share=contract.ss_practice_share,
            )
            if bench[y] > 0 and (y + 1) * 12 <= n
            else 0.0
            for y in range(len(actual))
        ]
    )
    return pm.reconciliation_schedule(settle, n, contract.ss_settlement_lag_months)


@register
class Pmpm(PaymentContract):
    """Capitation: a rate per member per month for the members of the PCP teams that are live."""

    name = "pmpm"
    collected = True

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """``contracts.<payer>.pmpm_usd``."""
        return declared_section("contracts.*", ("pmpm_usd",))

    @classmethod
    def payments(cls, record: PayerRecord) -> FloatArray:
        """Members x share of PCP teams live x rate (equal panels per PCP)."""
        return record.members * record.monthly["pcp_live_share"] * record.terms.pmpm_usd

    @classmethod
    @override
    def month_payment(cls, terms: Any, members: float, live_share: float, episodes: int) -> float:
        """Members x share of PCP teams live x rate."""
        return members * live_share * terms.pmpm_usd


@register
class CaseRate(PaymentContract):
    """An episode case rate per new CoCM episode (replacing the CoCM claims when on)."""

    name = "case_rate"
    collected = True

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """``contracts.<payer>.case_rate`` and ``case_rate_usd``."""
        return declared_section("contracts.*", ("case_rate", "case_rate_usd"))

    @classmethod
    def payments(cls, record: PayerRecord) -> FloatArray:
        """New CoCM episodes of the payer's members x the case rate."""
        episodes = np.array(
            [b.episodes_started_by_payer[record.payer] for b in record.billing], float
        )
        return pm.case_rate_payments(episodes, case_rate_usd(record.terms))

    @classmethod
    @override
    def month_payment(cls, terms: Any, members: float, live_share: float, episodes: int) -> float:
        """New episodes x the case rate."""
        return episodes * case_rate_usd(terms)


@register
class PayForPerformance(PaymentContract):
    """Pay for performance: an annual bonus on the payer's revenue if quality meets a target."""

    name = "p4p"

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """``contracts.<payer>.p4p_*``."""
        return tuple(p for p in declared_section("contracts.*") if p.name.startswith("p4p_"))

    @classmethod
    def payments(cls, record: PayerRecord) -> FloatArray:
        """The settled bonuses (see :func:`p4p_payments`)."""
        return p4p_payments(record.terms, record.monthly, record.revenue)


@register
class SharedSavings(PaymentContract):
    """Shared savings against the usual-care counterfactual's total cost of care."""

    name = "shared_savings"

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """``contracts.<payer>.shared_savings`` and ``ss_*``."""
        return tuple(
            p
            for p in declared_section("contracts.*")
            if p.name == "shared_savings" or p.name.startswith("ss_")
        )

    @classmethod
    def payments(cls, record: PayerRecord) -> FloatArray:
        """The settlements (see :func:`shared_savings_payments`); none without a counterfactual."""
        if not record.terms.shared_savings or record.counterfactual is None:
            return np.zeros(len(record.members))
        return shared_savings_payments(
            record.terms, record.payer_cost, record.counterfactual[f"tcoc_{record.payer}"]
        )


def contract_classes() -> dict[str, type[PaymentContract]]:
    """The registered payment contracts by name, in registration (= settlement) order."""
    out: dict[str, type[PaymentContract]] = {}
    for name, cls in components.registered("contract").items():
        if not issubclass(cls, PaymentContract):
            raise TypeError(f"contract {name!r} is registered but is not a PaymentContract")
        out[name] = cls
    return out
