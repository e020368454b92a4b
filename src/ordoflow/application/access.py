"""Who may do what, and where: the roles each command and query needs, and the site scope.

Every handler asks here first, inside its own transaction, before it reads or changes anything
else; every query asks before it reads. The acting user must exist and be active, hold one of the
roles the command needs, and cover the site of what it touches (an order's site, a stock level's
site, a site record, an activation for one site). The `system` actor is Ordoflow itself: it may
run only the work no person starts (the timer worker's escalations); entrypoints refuse it as a
user's name.

Case work, user administration and delegation check their own, finer rules (a case's owning role,
segregation of duties, an approval limit) in `ordoflow.application.cases`.
"""

from __future__ import annotations

from ordoflow.application import commands as c
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.errors import DomainError, ErrorCode, NotFound
from ordoflow.domain.masterdata import Customer, Item, PriceEntry, ShipTo, Site, StockLevel
from ordoflow.domain.orders import Order
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId, OrderId

R = Role

#: Who takes orders in: agents, sales operations, and integration accounts (EDI, API, shops).
ORDER_TAKERS = frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.INTEGRATION})
#: Who may stop an order or lift a hold they or a colleague put on it by hand.
HOLDERS = frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.CREDIT_ANALYST, R.FINANCE,
                     R.COMPLIANCE, R.WAREHOUSE_LEAD})  # fmt: skip
#: Who may end an order before it ships.
ENDERS = frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.CREDIT_ANALYST, R.FINANCE,
                    R.COMPLIANCE})  # fmt: skip
WAREHOUSE = frozenset({R.WAREHOUSE_LEAD, R.INTEGRATION})
FINANCE = frozenset({R.FINANCE, R.INTEGRATION})
PROCESS_AUTHORS = frozenset({R.PROCESS_OWNER})
BOARD = frozenset({R.GOVERNANCE_BOARD})

#: The roles each command needs (any one of them). Commands mapped to None check their own,
#: finer rules in their handler (see `ordoflow.application.cases`).
COMMAND_ROLES: dict[type[c.Command], frozenset[Role] | None] = {
    c.PlaceOrder: ORDER_TAKERS,
    c.ValidateOrder: frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS}),
    c.HoldOrder: HOLDERS,
    c.ResumeOrder: HOLDERS,
    c.RejectOrder: ENDERS,
    c.CancelOrder: frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.INTEGRATION}),
    c.AllocateOrder: frozenset({R.WAREHOUSE_LEAD, R.SALES_OPERATIONS}),
    c.ReleaseOrder: frozenset({R.WAREHOUSE_LEAD}),
    c.ConfirmPicking: WAREHOUSE,
    c.ConfirmPacking: WAREHOUSE,
    c.ConfirmShipment: WAREHOUSE,
    c.ConfirmDelivery: frozenset({R.WAREHOUSE_LEAD, R.INTEGRATION, R.CUSTOMER_SERVICE}),
    c.InvoiceOrder: FINANCE,
    c.IssueCreditMemo: frozenset({R.FINANCE}),
    c.RequestReturn: frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.INTEGRATION}),
    c.ReceiveReturn: WAREHOUSE,
    c.DisposeReturn: WAREHOUSE,
    c.CloseOrder: FINANCE,
    c.EditOrder: frozenset({R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.INTEGRATION}),
    c.ReceiveStock: WAREHOUSE,
    c.CreateRecord: None,  # by the record's kind: RECORD_ROLES
    c.UpdateRecord: None,
    c.ImportRecords: None,
    c.DraftVersion: PROCESS_AUTHORS,
    c.SubmitVersion: PROCESS_AUTHORS,
    c.ApproveVersion: BOARD,
    c.SendBackVersion: BOARD,
    c.RetireVersion: BOARD,
    c.RequestActivation: PROCESS_AUTHORS,
    c.DecideActivation: BOARD,
    c.SaveUser: None,
    c.DelegateAuthority: None,
    c.AssignCase: None,
    c.WaitOnCustomer: None,
    c.ApproveCase: None,
    c.OverrideCase: None,
    c.RejectCase: None,
    c.EscalateDueCases: frozenset({R.ADMINISTRATOR}),
}

#: Commands the `system` actor may run: work no person starts.
SYSTEM_COMMANDS: frozenset[type[c.Command]] = frozenset({c.EscalateDueCases})

#: Who maintains each kind of master record (by hand or through an integration account).
RECORD_ROLES: dict[str, frozenset[Role]] = {
    Site.KIND: frozenset({R.ADMINISTRATOR}),
    Customer.KIND: frozenset({R.SALES_OPERATIONS, R.FINANCE, R.ADMINISTRATOR, R.INTEGRATION}),
    ShipTo.KIND: frozenset(
        {R.CUSTOMER_SERVICE, R.SALES_OPERATIONS, R.ADMINISTRATOR, R.INTEGRATION}
    ),
    Item.KIND: frozenset({R.SALES_OPERATIONS, R.ADMINISTRATOR, R.INTEGRATION}),
    PriceEntry.KIND: frozenset({R.SALES_OPERATIONS, R.ADMINISTRATOR, R.INTEGRATION}),
    StockLevel.KIND: frozenset({R.WAREHOUSE_LEAD, R.ADMINISTRATOR, R.INTEGRATION}),
}

#: Who may read governed artifacts (versions, diffs, activations, the process in force).
GOVERNANCE_READERS = frozenset({R.PROCESS_OWNER, R.GOVERNANCE_BOARD, R.EXECUTIVE, R.COMPLIANCE,
                                R.ADMINISTRATOR})  # fmt: skip
#: Who may replay orders under other rules (what-if): the people who change the rules.
ANALYSTS = frozenset({R.PROCESS_OWNER, R.GOVERNANCE_BOARD, R.EXECUTIVE})
#: Who may read the audit trails: verify them and export them.
AUDITORS = frozenset({R.COMPLIANCE, R.FINANCE, R.EXECUTIVE, R.ADMINISTRATOR})
#: Who may list the users and their roles.
USER_READERS = frozenset({R.ADMINISTRATOR, R.EXECUTIVE, R.COMPLIANCE})


def user(uow: UnitOfWork, actor: ActorId) -> User:
    """The acting user, who must exist and be active."""
    found = uow.users.get(actor)
    if found is None or not found.active:
        raise DomainError(ErrorCode.UNKNOWN_USER, f"{actor!r} is not an active user")
    return found


def require(uow: UnitOfWork, actor: ActorId, roles: frozenset[Role] | None, doing: str) -> User:
    """The acting user, holding one of `roles` (None: any role will do)."""
    found = user(uow, actor)
    if roles is not None and not any(found.has(role) for role in roles):
        needed = ", ".join(sorted(roles))
        message = f"{actor} may not {doing}: it needs one of the roles {needed}"
        raise DomainError(ErrorCode.NOT_AUTHORISED, message)
    return found


def order_for(
    uow: UnitOfWork,
    actor: ActorId,
    order_id: OrderId,
    roles: frozenset[Role] | None = None,
    doing: str = "read orders",
) -> Order:
    """An order the acting user may read: they hold one of `roles` (None: any) and cover the
    order's site."""
    acting = require(uow, actor, roles, doing)
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {order_id!r}")
    within(acting, order.header.site)
    return order


def within(acting: User | None, site: str) -> None:
    """The user (None: the system) covers `site`."""
    if acting is not None and not acting.covers(site):
        raise DomainError(ErrorCode.OUTSIDE_SITE_SCOPE,
                          f"{acting.id} does not act for site {site}")  # fmt: skip


def permit(uow: UnitOfWork, cmd: c.Command) -> User | None:
    """The user who may run `cmd` by its role (None: the system running system work). The
    handler then checks the site of what it touches with `within`."""
    kind = type(cmd)
    if cmd.actor == SYSTEM_ACTOR:
        if kind in SYSTEM_COMMANDS:
            return None
        raise DomainError(ErrorCode.NOT_AUTHORISED,
                          f"the system actor does not {_doing(kind)}; a user must")  # fmt: skip
    return require(uow, cmd.actor, COMMAND_ROLES[kind], _doing(kind))


def permit_record(uow: UnitOfWork, actor: ActorId, kind: str) -> User:
    """The user who may maintain records of `kind` (an unknown kind: administrators only)."""
    roles = RECORD_ROLES.get(kind, frozenset({R.ADMINISTRATOR}))
    return require(uow, actor, roles, f"maintain {kind} records")


def record_site(record: object) -> str | None:
    """The site a master record belongs to (a stock level's, a site's own), if any."""
    if isinstance(record, StockLevel):
        return record.site
    if isinstance(record, Site):
        return record.code
    return None


def _doing(kind: type[c.Command]) -> str:
    return "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in kind.__name__).strip()


__all__ = [
    "ANALYSTS",
    "AUDITORS",
    "COMMAND_ROLES",
    "GOVERNANCE_READERS",
    "RECORD_ROLES",
    "SYSTEM_COMMANDS",
    "USER_READERS",
    "order_for",
    "permit",
    "permit_record",
    "record_site",
    "require",
    "user",
    "within",
]
