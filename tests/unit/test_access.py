"""Who may do what, and where, on the fakes through the bus: every command the bus handles has an
access policy; a user without one of the roles a command needs, an unknown or deactivated user,
the system actor and a user limited to another site are refused with a precise code and change
nothing; a user with the role gets past the check. Queries show only the sites a user covers."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from ordoflow.application import access
from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.explaining import explain_order
from ordoflow.application.messagebus import HANDLERS, MessageBus
from ordoflow.application.queries import list_orders, show_order, verify_audit
from ordoflow.application.records import SPECS
from ordoflow.application.whatif import what_if
from ordoflow.domain.cases import CaseStatus
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import (
    Customer,
    CustomerTier,
    Item,
    MasterRecord,
    PriceEntry,
    ShipTo,
    Site,
    StockLevel,
)
from ordoflow.domain.people import Role, User
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.returns import Disposition, ReturnId, ReturnRequestLine
from ordoflow.domain.values import (
    SYSTEM_ACTOR,
    AccountNumber,
    ActorId,
    Channel,
    CountryCode,
    OrderId,
    PriceListCode,
    ShipToCode,
    SiteCode,
    Sku,
)
from ordoflow.domain.warehouse import RequestStatus, WarehouseRequest, WarehouseRequestId
from ordoflow.governance.versions import ArtifactKind
from tests.builders import ref
from tests.fakes import FakeClock, FakeUnitOfWork, Store
from tests.governance_data import ruleset_text
from tests.governed_world import ADMIN, AGENT, USD, Shop, shop
from tests.staff import AUDITOR, OWNER, WAREHOUSE

OTHER = SiteCode("RTM1")
#: The warehouse's reference of the shipment of `Setting.shipped`.
SHIPMENT = "SHP-0"
INVOICE = "INV-US01-000001"  # the shipment's, issued by the worker
NO_RETURN = ReturnId("RMA-NONE")  # past the access check, a return is looked up
#: Codes that mean "this user may not do this here"; a user with the role never gets them.
ACCESS_CODES = frozenset({ErrorCode.NOT_AUTHORISED, ErrorCode.OUTSIDE_SITE_SCOPE,
                          ErrorCode.UNKNOWN_USER})  # fmt: skip


@dataclass(frozen=True)
class Setting:
    """The governed shop at its site, a second site `OTHER`, and things to act on."""

    world: Shop
    released: OrderId  # through the process, released to the warehouse
    waiting: OrderId  # partially allocated, waiting at release (it may be held by hand)
    held: OrderId  # on hold by the process's credit step, with a live case
    elsewhere: OrderId  # an order at OTHER
    shipped: OrderId  # shipped in full under the warehouse's reference `SHIPMENT`, not delivered
    case_id: str  # the live case of `held`
    draft: int  # a draft version of the credit table
    activation: str  # a requested activation of the standard template for the world's site
    spare: Sku  # an item with no stock anywhere

    @property
    def site(self) -> SiteCode:
        return self.world.site

    @property
    def request(self) -> WarehouseRequestId:
        """The warehouse request of the released order."""
        return WarehouseRequest.id_for(self.released, self.site)

    def handle(self, command: c.Command) -> object:
        return self.world.handle(command)


def _build() -> Setting:
    world = shop(stock=5000)
    low, spare = Sku("LOW-1"), Sku("SPARE-1")
    for sku in (low, spare):
        world.add(Item(sku, "Part", "EA", "HW", Decimal("10"), USD, Decimal("6"), Decimal("1"),
                       "EAR99"))  # fmt: skip
    world.add(StockLevel(low, world.site, 2))
    world.add(Site(OTHER, "Rotterdam DC", CountryCode("NL"), "Europe/Amsterdam"))
    world.add(StockLevel(world.sku, OTHER, 100))
    released, waiting = world.order(1), world.order(5, sku=low)
    elsewhere = OrderId(str(world.handle(c.PlaceOrder(
        actor=AGENT, account_number=world.account, ship_to=world.ship_to, channel=Channel.API,
        customer_po=ref("PO"), requested_date=world.clock.now().date(), site=OTHER,
        lines=(c.OrderLineInput(line_no=1, sku=world.sku, quantity=1),),
    ))))  # fmt: skip
    shipped = world.order(1)
    held = world.order(1050)  # over the credit limit
    world.handle(c.ConfirmShipment(
        request_id=WarehouseRequest.id_for(shipped, world.site), reference=SHIPMENT,
        shipped={1: 1}, actor=WAREHOUSE,
    ))  # fmt: skip
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # invoiced
    statuses = [world.store.orders[o].status
                for o in (released, waiting, held, elsewhere, shipped)]  # fmt: skip
    assert statuses == [OrderStatus.RELEASED, OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.ON_HOLD,
                        OrderStatus.RELEASED, OrderStatus.INVOICED]  # fmt: skip
    (case,) = [k for k in world.store.cases.values() if k.order_id == held and k.is_live]
    drafted = world.handle(c.DraftVersion(kind=ArtifactKind.TABLE, name="credit",
                                          text=ruleset_text("credit"), actor=OWNER))  # fmt: skip
    draft = int(str(drafted))
    activation = str(world.handle(c.RequestActivation(template="order_to_cash", number=1,
                                                      scope="site", target=world.site,
                                                      actor=OWNER)))  # fmt: skip
    return Setting(world, released, waiting, held, elsewhere, shipped, case.id, draft, activation,
                   spare)  # fmt: skip


@pytest.fixture(scope="module")
def built() -> Setting:
    return _build()


@pytest.fixture
def s(built: Setting) -> Setting:
    """A copy of the built setting with its own store, clock and bus."""
    store = copy.deepcopy(built.world.store)
    clock = FakeClock(built.world.clock.now())
    memo: dict[object, object] = {}
    bus = MessageBus(lambda: FakeUnitOfWork(store, memo), clock)
    return dataclasses.replace(built, world=dataclasses.replace(built.world, bus=bus, store=store,
                                                                clock=clock))  # fmt: skip


def person(s: Setting, roles: frozenset[Role] | set[Role], sites: set[str] | None = None, *,
           active: bool = True) -> ActorId:  # fmt: skip
    """A new user with `roles` over `sites` (None: every site), saved by the administrator."""
    actor = ActorId(ref("user").lower())
    scope = None if sites is None else frozenset(SiteCode(site) for site in sites)
    s.handle(c.SaveUser(user=User(actor, "Someone", frozenset(roles), scope, active),
                        actor=ADMIN))  # fmt: skip
    return actor


def contents(store: Store) -> dict[str, object]:
    """Everything the store holds: orders and their logs and decisions, cases, records, users,
    audit streams and heads, the outbox, versions and activations."""
    return {f.name: copy.deepcopy(getattr(store, f.name)) for f in dataclasses.fields(store)}


def refused(s: Setting, command: c.Command) -> ErrorCode:
    """The code `command` is refused with; the store must be unchanged."""
    before = contents(s.world.store)
    with pytest.raises(DomainError) as caught:
        s.handle(command)
    after = contents(s.world.store)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused {type(command).__name__} changed {changed}"
    return caught.value.code


def outcome(s: Setting, command: c.Command) -> ErrorCode | None:
    """The code `command` is refused with, or None when it runs."""
    try:
        s.handle(command)
    except DomainError as exc:
        return exc.code
    return None


# -- one example of every command ----------------------------------------------------------------

Example = Callable[[Setting], c.Command]


def _version(kind: type[c.VersionCommand]) -> Example:
    return lambda s: kind(kind=ArtifactKind.TABLE, name="credit", number=s.draft)


#: An example of every command whose policy names roles, on things the setting holds.
EXAMPLES: dict[type[c.Command], Example] = {
    c.PlaceOrder: lambda s: c.PlaceOrder(
        account_number=s.world.account, ship_to=s.world.ship_to, channel=Channel.EDI,
        customer_po=ref("PO"), requested_date=date(2026, 12, 1), site=s.site,
        lines=(c.OrderLineInput(line_no=1, sku=s.world.sku, quantity=2),)),
    c.EditOrder: lambda s: c.EditOrder(order_id=s.waiting, lines=(
        c.OrderLineInput(line_no=1, sku=Sku("LOW-1"), quantity=2),)),
    c.ValidateOrder: lambda s: c.ValidateOrder(order_id=s.waiting),
    c.HoldOrder: lambda s: c.HoldOrder(order_id=s.waiting, reason_code="customer_request"),
    c.ResumeOrder: lambda s: c.ResumeOrder(order_id=s.waiting),
    c.RejectOrder: lambda s: c.RejectOrder(order_id=s.waiting, reason_code="credit_refused"),
    c.CancelOrder: lambda s: c.CancelOrder(order_id=s.waiting, reason_code="customer_request"),
    c.AllocateOrder: lambda s: c.AllocateOrder(order_id=s.waiting),
    c.ReleaseOrder: lambda s: c.ReleaseOrder(order_id=s.waiting),
    c.ConfirmPicking: lambda s: c.ConfirmPicking(request_id=s.request),
    c.ConfirmPacking: lambda s: c.ConfirmPacking(request_id=s.request),
    c.ConfirmShipment: lambda s: c.ConfirmShipment(request_id=s.request, reference="SHP-1",
                                                   shipped={1: 1}, final=True),
    c.ConfirmDelivery: lambda s: c.ConfirmDelivery(site=s.site, reference=SHIPMENT,
                                                   received_by="J. Doe"),
    c.InvoiceOrder: lambda s: c.InvoiceOrder(order_id=s.released),
    c.IssueCreditMemo: lambda s: c.IssueCreditMemo(invoice=INVOICE, lines={1: 1},
                                                   reason_code="goodwill"),
    c.RequestReturn: lambda s: c.RequestReturn(
        order_id=s.shipped, lines=(ReturnRequestLine(1, 1, "damaged_in_transit"),)),
    c.ReceiveReturn: lambda s: c.ReceiveReturn(return_id=NO_RETURN, site=s.site,
                                               received={1: 1}),
    c.DisposeReturn: lambda s: c.DisposeReturn(return_id=NO_RETURN,
                                               dispositions={1: Disposition.RESTOCK}),
    c.CloseOrder: lambda s: c.CloseOrder(order_id=s.released),
    c.DraftVersion: lambda s: c.DraftVersion(kind=ArtifactKind.TABLE, name="credit",
                                             text=ruleset_text("credit")),
    c.SubmitVersion: _version(c.SubmitVersion),
    c.ApproveVersion: _version(c.ApproveVersion),
    c.SendBackVersion: _version(c.SendBackVersion),
    c.RetireVersion: _version(c.RetireVersion),
    c.RequestActivation: lambda s: c.RequestActivation(template="order_to_cash", number=1,
                                                       scope="site", target=s.site),
    c.DecideActivation: lambda s: c.DecideActivation(activation_id=s.activation, approve=True),
    c.EscalateDueCases: lambda s: c.EscalateDueCases(),
    c.ReceiveStock: lambda s: c.ReceiveStock(
        site=s.site, kind=ReceiptKind.PURCHASE_RECEIPT, reference=ref("PO"),
        lines=(ReceiptLine(s.world.sku, 3),)),
}  # fmt: skip

#: An example of every command that checks its own, finer rules (policy None).
OWN_RULE_EXAMPLES: dict[type[c.Command], Example] = {
    c.CreateRecord: lambda s: c.CreateRecord(record=StockLevel(s.spare, s.site, 10)),
    c.UpdateRecord: lambda s: c.UpdateRecord(record=StockLevel(s.world.sku, s.site, 6000)),
    c.ImportRecords: lambda s: c.ImportRecords(kind="stock",
                                               text=f"sku,site,on_hand\n{s.spare},{s.site},10\n"),
    c.SaveUser: lambda s: c.SaveUser(user=User(ActorId("new.hire"), "New",
                                               frozenset({Role.FINANCE}))),
    c.DelegateAuthority: lambda s: c.DelegateAuthority(
        delegate=AGENT, role="credit_analyst", until=s.world.clock.now().replace(year=2027)),
    c.AssignCase: lambda s: c.AssignCase(case_id=s.case_id, assignee=AGENT),
    c.WaitOnCustomer: lambda s: c.WaitOnCustomer(case_id=s.case_id, comment="asked for a wire"),
    c.ApproveCase: lambda s: c.ApproveCase(case_id=s.case_id),
    c.OverrideCase: lambda s: c.OverrideCase(case_id=s.case_id, reason_code="payment_received",
                                             comment="paid"),
    c.RejectCase: lambda s: c.RejectCase(case_id=s.case_id, reason_code="credit_refused"),
}  # fmt: skip

ROLE_COMMANDS = sorted((k for k, roles in access.COMMAND_ROLES.items() if roles is not None),
                       key=lambda k: k.__name__)  # fmt: skip
EVERY_EXAMPLE = sorted({**EXAMPLES, **OWN_RULE_EXAMPLES}, key=lambda k: k.__name__)
#: Commands a person must give: the system actor may not.
PERSON_COMMANDS = sorted((k for k in EXAMPLES if k not in access.SYSTEM_COMMANDS),
                         key=lambda k: k.__name__)  # fmt: skip
ORDER_COMMANDS = sorted((k for k in EXAMPLES if issubclass(k, c.OrderCommand)),
                        key=lambda k: k.__name__)  # fmt: skip
#: The warehouses' reports: on a request (its site decides) or a shipment (the site named).
WAREHOUSE_COMMANDS = sorted((k for k in EXAMPLES if issubclass(k, c.WarehouseCommand)
                             or k is c.ConfirmDelivery), key=lambda k: k.__name__)  # fmt: skip
#: Each command with each role that may run it.
ROLE_HOLDERS = [(kind, role) for kind in ROLE_COMMANDS
                for role in sorted(access.COMMAND_ROLES[kind] or ())]  # fmt: skip


def example(s: Setting, kind: type[c.Command], actor: ActorId) -> c.Command:
    return dataclasses.replace({**EXAMPLES, **OWN_RULE_EXAMPLES}[kind](s), actor=actor)


def _name(value: object) -> str:
    return value.__name__ if isinstance(value, type) else str(value)


# -- every command has a policy, every policy an example ----------------------------------------


def test_every_command_the_bus_handles_has_an_access_policy_and_every_policy_a_handler() -> None:
    assert set(HANDLERS) - set(access.COMMAND_ROLES) == set(), "commands without a policy"
    assert set(access.COMMAND_ROLES) - set(HANDLERS) == set(), "policies without a handler"


def test_every_command_with_a_role_policy_has_an_example_here_and_the_others_too() -> None:
    assert set(EXAMPLES) == set(ROLE_COMMANDS)
    assert set(OWN_RULE_EXAMPLES) == {k for k, v in access.COMMAND_ROLES.items() if v is None}


def test_only_the_escalation_tick_is_system_work() -> None:
    assert {c.EscalateDueCases} == access.SYSTEM_COMMANDS


# -- roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ROLE_COMMANDS, ids=_name)
def test_a_user_with_every_role_but_the_ones_a_command_needs_is_refused_and_nothing_changes(
    s: Setting, kind: type[c.Command]
) -> None:
    needed = access.COMMAND_ROLES[kind] or frozenset()
    actor = person(s, set(Role) - needed)
    assert refused(s, example(s, kind, actor)) is ErrorCode.NOT_AUTHORISED


@pytest.mark.parametrize(("kind", "role"), ROLE_HOLDERS, ids=_name)
def test_a_user_with_one_of_the_roles_a_command_needs_gets_past_the_access_check(
    s: Setting, kind: type[c.Command], role: Role
) -> None:
    assert outcome(s, example(s, kind, person(s, {role}))) not in ACCESS_CODES


def test_a_user_with_the_role_really_does_the_work(s: Setting) -> None:
    """A few examples run through to the end, so the ones above act on real things."""
    finance, board = person(s, {Role.FINANCE}), person(s, {Role.GOVERNANCE_BOARD})
    lead = person(s, {Role.WAREHOUSE_LEAD})
    for kind in (c.ConfirmPicking, c.ConfirmPacking, c.ConfirmShipment):
        s.handle(example(s, kind, lead))
    assert s.world.store.requests[s.request].status is RequestStatus.SHIPPED
    assert s.handle(example(s, c.ConfirmDelivery, lead)) is True
    assert s.world.store.shipments[(s.site, SHIPMENT)].received_by == "J. Doe"
    s.handle(example(s, c.InvoiceOrder, finance))
    s.handle(example(s, c.CloseOrder, finance))
    assert s.world.store.orders[s.released].status is OrderStatus.CLOSED
    s.handle(example(s, c.DecideActivation, board))
    assert s.world.store.activations[s.activation].decided_by == board


# -- who acts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", EVERY_EXAMPLE, ids=_name)
@pytest.mark.parametrize("who", ["unknown", "deactivated"])
def test_an_unknown_or_deactivated_user_is_refused_as_unknown_and_nothing_changes(
    s: Setting, kind: type[c.Command], who: str
) -> None:
    actor = ActorId("ghost") if who == "unknown" else person(s, set(Role), active=False)
    assert refused(s, example(s, kind, actor)) is ErrorCode.UNKNOWN_USER


def test_the_system_actor_may_not_place_an_order(s: Setting) -> None:
    command = example(s, c.PlaceOrder, SYSTEM_ACTOR)
    assert refused(s, command) is ErrorCode.NOT_AUTHORISED


@pytest.mark.parametrize("kind", PERSON_COMMANDS, ids=_name)
def test_the_system_actor_is_refused_every_command_a_person_must_give(
    s: Setting, kind: type[c.Command]
) -> None:
    assert refused(s, example(s, kind, SYSTEM_ACTOR)) is ErrorCode.NOT_AUTHORISED


def test_the_system_actor_escalates_due_cases(s: Setting) -> None:
    assert s.handle(c.EscalateDueCases()) == 0
    s.world.clock.current = s.world.store.cases[s.case_id].due_at
    assert s.handle(c.EscalateDueCases(actor=SYSTEM_ACTOR)) == 1
    assert s.world.store.cases[s.case_id].status is CaseStatus.ESCALATED


def test_only_an_administrator_or_the_system_escalates_a_case_past_its_deadline(
    s: Setting,
) -> None:
    s.world.clock.current = s.world.store.cases[s.case_id].due_at
    for actor in (AGENT, ActorId("ghost")):
        assert refused(s, c.EscalateDueCases(actor=actor)) in (ErrorCode.NOT_AUTHORISED,
                                                                ErrorCode.UNKNOWN_USER)  # fmt: skip
    assert s.world.store.cases[s.case_id].status is CaseStatus.OPEN
    assert s.handle(c.EscalateDueCases(actor=ADMIN)) == 1


# -- sites ---------------------------------------------------------------------------------------


def test_placing_an_order_for_a_site_the_user_does_not_act_for_is_refused(s: Setting) -> None:
    rotterdam = person(s, {Role.CUSTOMER_SERVICE}, {OTHER})
    command = example(s, c.PlaceOrder, rotterdam)
    assert isinstance(command, c.PlaceOrder)
    assert refused(s, command) is ErrorCode.OUTSIDE_SITE_SCOPE
    placed = s.handle(dataclasses.replace(command, site=OTHER))
    assert s.world.store.orders[OrderId(str(placed))].header.site == OTHER


@pytest.mark.parametrize("kind", ORDER_COMMANDS, ids=_name)
def test_an_order_command_on_an_order_of_another_site_is_refused_and_nothing_changes(
    s: Setting, kind: type[c.Command]
) -> None:
    rotterdam = person(s, set(Role), {OTHER})
    assert refused(s, example(s, kind, rotterdam)) is ErrorCode.OUTSIDE_SITE_SCOPE


@pytest.mark.parametrize("kind", WAREHOUSE_COMMANDS, ids=_name)
def test_a_warehouse_report_for_another_site_is_refused_and_nothing_changes(
    s: Setting, kind: type[c.Command]
) -> None:
    rotterdam = person(s, set(Role), {OTHER})
    assert refused(s, example(s, kind, rotterdam)) is ErrorCode.OUTSIDE_SITE_SCOPE


def test_a_warehouse_lead_reports_on_the_requests_of_their_own_site(s: Setting) -> None:
    rotterdam = person(s, {Role.WAREHOUSE_LEAD}, {OTHER})
    there = WarehouseRequest.id_for(s.elsewhere, OTHER)
    s.handle(c.ConfirmPicking(request_id=there, actor=rotterdam))
    s.handle(c.ConfirmShipment(request_id=there, reference="RTM-1", shipped={1: 1},
                               actor=rotterdam))  # fmt: skip
    s.handle(c.ConfirmDelivery(site=OTHER, reference="RTM-1", received_by="Dock",
                               actor=rotterdam))  # fmt: skip
    assert s.world.store.requests[there].status is RequestStatus.SHIPPED
    assert s.world.store.orders[s.elsewhere].status is OrderStatus.SHIPPED


def test_stock_at_another_site_may_not_be_created_updated_or_imported(s: Setting) -> None:
    rotterdam = person(s, {Role.WAREHOUSE_LEAD}, {OTHER})
    for kind in (c.CreateRecord, c.UpdateRecord, c.ImportRecords):
        assert refused(s, example(s, kind, rotterdam)) is ErrorCode.OUTSIDE_SITE_SCOPE, kind
    s.handle(c.CreateRecord(record=StockLevel(s.spare, OTHER, 10), actor=rotterdam))
    created = s.world.store.records[(StockLevel.KIND, (s.spare, OTHER))]
    assert created == StockLevel(s.spare, OTHER, 10)


def test_an_administrator_of_another_site_may_not_change_this_sites_record(s: Setting) -> None:
    rotterdam = person(s, {Role.ADMINISTRATOR}, {OTHER})
    renamed = Site(s.site, "Renamed", CountryCode("US"), "America/Chicago")
    assert refused(s, c.UpdateRecord(record=renamed, actor=rotterdam)) is (
        ErrorCode.OUTSIDE_SITE_SCOPE
    )


def test_an_activation_for_another_site_may_not_be_requested_or_decided(s: Setting) -> None:
    owner = person(s, {Role.PROCESS_OWNER}, {OTHER})
    board = person(s, {Role.GOVERNANCE_BOARD}, {OTHER})
    assert refused(s, example(s, c.RequestActivation, owner)) is ErrorCode.OUTSIDE_SITE_SCOPE
    assert refused(s, example(s, c.DecideActivation, board)) is ErrorCode.OUTSIDE_SITE_SCOPE
    own = s.handle(c.RequestActivation(template="order_to_cash", number=1, scope="site",
                                       target=OTHER, actor=owner))  # fmt: skip
    assert s.world.store.activations[str(own)].target == OTHER


# -- master records by kind ----------------------------------------------------------------------

#: An example of a new record of every kind the setting does not hold yet.
RECORDS: dict[str, Callable[[Setting], MasterRecord]] = {
    Site.KIND: lambda s: Site(SiteCode("AMS1"), "Amsterdam", CountryCode("NL"), "Europe/Amsterdam"),
    Customer.KIND: lambda s: Customer(AccountNumber("C-NEW"), "New Co", "TAX-2",
                                      CustomerTier.STANDARD, USD, "NET30", Decimal("5000")),
    ShipTo.KIND: lambda s: ShipTo(s.world.account, ShipToCode("DOCK2"), "Dock 2", "2 Main St",
                                  "Dallas", "75001", CountryCode("US")),
    Item.KIND: lambda s: Item(Sku("NUT-1"), "Nut", "EA", "HW", Decimal("1.50"), USD, Decimal("1"),
                              Decimal("0.1"), "EAR99"),
    PriceEntry.KIND: lambda s: PriceEntry(PriceListCode("LIST"), s.world.sku, None, USD,
                                          Decimal("9.50"), date(2026, 1, 1)),
    StockLevel.KIND: lambda s: StockLevel(s.spare, s.site, 10),
}  # fmt: skip

#: The same records as one-row CSV files, by import kind.
IMPORTS: dict[str, Callable[[Setting], str]] = {
    "sites": lambda s: "code,name,country,time_zone\nAMS1,Amsterdam,NL,Europe/Amsterdam\n",
    "customers": lambda s: ("account_number,legal_name,tax_id,tier,currency,payment_terms,"
                            "credit_limit\nC-NEW,New Co,TAX-2,standard,USD,NET30,5000\n"),
    "ship-tos": lambda s: ("account_number,code,name,address_line,city,postal_code,country\n"
                           f"{s.world.account},DOCK2,Dock 2,2 Main St,Dallas,75001,US\n"),
    "items": lambda s: ("sku,description,unit_of_measure,product_class,list_price,currency,"
                        "standard_cost,weight_kg,export_classification\n"
                        "NUT-1,Nut,EA,HW,1.50,USD,1,0.1,EAR99\n"),
    "stock": lambda s: f"sku,site,on_hand\n{s.spare},{s.site},10\n",
    "prices": lambda s: ("price_list,sku,customer,currency,unit_price,valid_from\n"
                         f"LIST,{s.world.sku},,USD,9.50,2026-01-01\n"),
}  # fmt: skip

RECORD_HOLDERS = [(kind, role) for kind in sorted(access.RECORD_ROLES)
                  for role in sorted(access.RECORD_ROLES[kind])]  # fmt: skip
IMPORT_HOLDERS = [(kind, role) for kind, spec in sorted(SPECS.items())
                  for role in sorted(access.RECORD_ROLES[spec.record_type.KIND])]  # fmt: skip


def test_every_kind_of_record_has_a_policy_and_an_example_here() -> None:
    kinds = {spec.record_type.KIND for spec in SPECS.values()}
    assert set(access.RECORD_ROLES) == kinds == set(RECORDS)
    assert set(IMPORTS) == set(SPECS)


@pytest.mark.parametrize("kind", sorted(access.RECORD_ROLES))
def test_a_user_without_the_roles_for_a_kind_of_record_may_not_create_one(
    s: Setting, kind: str
) -> None:
    actor = person(s, set(Role) - access.RECORD_ROLES[kind])
    command = c.CreateRecord(record=RECORDS[kind](s), actor=actor)
    assert refused(s, command) is ErrorCode.NOT_AUTHORISED


@pytest.mark.parametrize(("kind", "role"), RECORD_HOLDERS)
def test_a_user_with_a_role_for_a_kind_of_record_creates_one(
    s: Setting, kind: str, role: Role
) -> None:
    record = RECORDS[kind](s)
    s.handle(c.CreateRecord(record=record, actor=person(s, {role})))
    assert s.world.store.records[(kind, record.key)] == record


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_a_user_without_the_roles_for_a_kind_of_record_may_not_import_it(
    s: Setting, kind: str
) -> None:
    actor = person(s, set(Role) - access.RECORD_ROLES[SPECS[kind].record_type.KIND])
    command = c.ImportRecords(kind=kind, text=IMPORTS[kind](s), actor=actor)
    assert refused(s, command) is ErrorCode.NOT_AUTHORISED


@pytest.mark.parametrize(("kind", "role"), IMPORT_HOLDERS)
def test_a_user_with_a_role_for_a_kind_of_record_imports_it(
    s: Setting, kind: str, role: Role
) -> None:
    report = s.handle(c.ImportRecords(kind=kind, text=IMPORTS[kind](s), actor=person(s, {role})))
    assert getattr(report, "created", None) == 1


def test_a_warehouse_lead_may_import_stock_but_not_prices(s: Setting) -> None:
    lead = person(s, {Role.WAREHOUSE_LEAD})
    prices = c.ImportRecords(kind="prices", text=IMPORTS["prices"](s), actor=lead)
    assert refused(s, prices) is ErrorCode.NOT_AUTHORISED
    s.handle(c.ImportRecords(kind="stock", text=IMPORTS["stock"](s), actor=lead))
    imported = s.world.store.records[(StockLevel.KIND, (s.spare, s.site))]
    assert imported == StockLevel(s.spare, s.site, 10)


# -- queries -------------------------------------------------------------------------------------


def test_the_order_list_shows_only_orders_of_the_sites_the_user_acts_for(s: Setting) -> None:
    def listed(actor: ActorId) -> set[str]:
        return {o["id"] for o in list_orders(s.world.bus.uow_factory, actor)}  # type: ignore[attr-defined]

    here = {s.released, s.waiting, s.held, s.shipped}
    assert listed(person(s, {Role.CUSTOMER_SERVICE}, {OTHER})) == {s.elsewhere}
    assert listed(person(s, {Role.CUSTOMER_SERVICE}, {s.site})) == here
    assert listed(AGENT) == {*here, s.elsewhere}


def test_an_order_of_another_site_may_not_be_shown_or_explained(s: Setting) -> None:
    factory = s.world.bus.uow_factory  # type: ignore[attr-defined]
    rotterdam = person(s, {Role.CUSTOMER_SERVICE}, {OTHER})
    for query in (show_order, explain_order):
        with pytest.raises(DomainError) as caught:
            query(factory, rotterdam, s.released)
        assert caught.value.code is ErrorCode.OUTSIDE_SITE_SCOPE, query.__name__
    assert show_order(factory, rotterdam, s.elsewhere)["site"] == OTHER
    assert explain_order(factory, rotterdam, s.elsewhere).order_id == s.elsewhere


def test_only_auditors_verify_the_audit_trail(s: Setting) -> None:
    factory = s.world.bus.uow_factory  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as caught:
        verify_audit(factory, AGENT)
    assert caught.value.code is ErrorCode.NOT_AUTHORISED
    assert verify_audit(factory, AUDITOR).ok


def test_what_if_by_a_process_owner_of_one_site_replays_only_that_sites_orders(
    s: Setting,
) -> None:
    factory = s.world.bus.uow_factory  # type: ignore[attr-defined]

    def replayed(actor: ActorId) -> int:
        return what_if(factory, actor, ArtifactKind.TABLE, "credit", s.draft, 50).replayed

    def credit_decided(site: str) -> int:
        return sum(any(d.table == "credit" for d in s.world.store.decisions.get(o.id, []))
                   for o in s.world.store.orders.values() if o.header.site == site)  # fmt: skip

    here, there = credit_decided(s.site), credit_decided(OTHER)
    assert (here, there) == (4, 1)
    assert replayed(person(s, {Role.PROCESS_OWNER}, {s.site})) == here
    assert replayed(person(s, {Role.PROCESS_OWNER}, {OTHER})) == there
    assert replayed(OWNER) == here + there
    with pytest.raises(DomainError) as caught:
        replayed(AGENT)
    assert caught.value.code is ErrorCode.NOT_AUTHORISED


# -- holds the process put on --------------------------------------------------------------------


def test_an_order_held_by_the_process_with_a_live_case_is_not_resumed_by_hand(s: Setting) -> None:
    command = c.ResumeOrder(order_id=s.held, actor=AGENT)
    assert refused(s, command) is ErrorCode.CASE_OPEN
    assert s.world.store.orders[s.held].status is OrderStatus.ON_HOLD


def test_a_hold_put_on_by_hand_is_resumed_to_where_the_order_was(s: Setting) -> None:
    s.handle(c.HoldOrder(order_id=s.waiting, reason_code="customer_request", actor=AGENT))
    held = s.world.store.orders[s.waiting]
    assert (held.status, held.hold_reason) == (OrderStatus.ON_HOLD, "customer_request")
    assert not [k for k in s.world.store.cases.values() if k.order_id == s.waiting]
    s.handle(c.ResumeOrder(order_id=s.waiting, actor=AGENT))
    resumed = s.world.store.orders[s.waiting]
    assert (resumed.status, resumed.hold_reason) == (OrderStatus.PARTIALLY_ALLOCATED, None)
