"""MigCompatFilter in Nova's own scheduler code path (HostManager.get_filtered_hosts with the filter
loaded from available_filters/enabled_filters), Nova's real objects and cell database, and a real
`migcompat serve` holding the inventories of tests/fleet."""

import socket
import unittest

from tests import support

support.require_nova()

from nova import objects  # noqa: E402
from nova.scheduler import filters, host_manager  # noqa: E402
import nova.conf  # noqa: E402

objects.register_all()
CONF = nova.conf.CONF

from migcompat_nova import client as mc_client  # noqa: E402
from migcompat_nova.filter import MigCompatFilter  # noqa: E402

SERVER = None
CELL = None

# Nova's compute hosts in these tests: the five of the fleet and one MigCompat has never heard of.
NOVA_HOSTS = ["cmp-cold", "cmp-full", "cmp-live", "cmp-newer", "cmp-src", "cmp-unknown"]
VGPU_FLAVOR = {"resources:VGPU": "1"}
PLAIN_FLAVOR = {"hw:cpu_policy": "shared"}


def setUpModule():
    global SERVER, CELL
    CELL = support.NovaCell()
    SERVER = support.MigCompatServer()
    try:
        SERVER.put_fleet()
    except Exception:
        SERVER.stop()
        raise


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
    if CELL is not None:
        CELL.close()


def scheduler():
    """A HostManager whose filters are loaded as HostManager.__init__ loads them (its cell and
    aggregate caches, which need Nova's API database, are left out)."""
    manager = host_manager.HostManager.__new__(host_manager.HostManager)
    manager.filter_handler = filters.HostFilterHandler()
    classes = manager.filter_handler.get_matching_classes(CONF.filter_scheduler.available_filters)
    manager.filter_cls_map = {cls.__name__: cls for cls in classes}
    manager.filter_obj_map = {}
    manager.enabled_filters = manager._choose_host_filters(manager._load_filters())
    return manager


def request_spec(instance_uuid, ignore_hosts=None, extra_specs=None, with_context=True, with_cell=True,
                 hints=None, destination_host=None):
    """A RequestSpec built as Nova builds one (RequestSpec.from_components), then shaped as the conductor
    shapes it for a live migration (live_migrate.py: ignore_hosts, requested_destination.cell)."""
    flavor = objects.Flavor(name="m1.test", flavorid="42", memory_mb=1024, vcpus=1, root_gb=10, ephemeral_gb=0,
                            swap=0, extra_specs=dict(extra_specs if extra_specs is not None else VGPU_FLAVOR))
    filter_properties = {"scheduler_hints": dict(hints or {})}
    if ignore_hosts is not None:
        filter_properties["ignore_hosts"] = list(ignore_hosts)
    spec = objects.RequestSpec.from_components(
        CELL.context, instance_uuid, {}, flavor, None, None, filter_properties, None, None,
        project_id="p", user_id="u")
    if with_cell:
        spec.requested_destination = objects.Destination(cell=CELL.cell)
        if destination_host is not None:
            spec.requested_destination.host = destination_host
            spec.requested_destination.node = destination_host
    if not with_context:
        spec._context = None
    return spec


def host_states(names=NOVA_HOSTS, nodename=lambda name: name):
    return [host_manager.HostState(name, nodename(name), support.CELL_UUID) for name in names]


class Case(unittest.TestCase):
    """Each test starts from nova.conf as docs/integrations-nova.md writes it."""

    def setUp(self):
        self.set(available_filters=["nova.scheduler.filters.all_filters", "migcompat_nova.filter.MigCompatFilter"],
                 enabled_filters=["MigCompatFilter"], group="filter_scheduler")
        self.set(url=SERVER.url, token=SERVER.read_token, timeout=5.0)

    def set(self, group="migcompat", **values):
        for name, value in values.items():
            CONF.set_override(name, value, group=group)
            self.addCleanup(CONF.clear_override, name, group=group)

    def passing(self, spec, hosts=None):
        chosen = scheduler().get_filtered_hosts(hosts if hosts is not None else host_states(), spec)
        return sorted(host.host for host in chosen)

    def live_migrating(self, instance_uuid, source="cmp-src"):
        CELL.put_instance(instance_uuid, source, "migrating")


class RequestsThatAreNotLiveMigrations(Case):

    def test_a_request_without_hosts_to_ignore_passes_every_host_without_asking_migcompat(self):
        self.set(url="http://127.0.0.1:%d" % support.free_port())  # nobody listens: asking would reject
        CELL.put_instance(support.VM_WITH_DEVICE, None, "scheduling")
        self.assertEqual(NOVA_HOSTS, self.passing(request_spec(support.VM_WITH_DEVICE)))

    def test_moves_other_than_a_live_migration_pass_every_host_but_the_one_left(self):
        for task_state in ("resize_prep", "rebuilding"):
            with self.subTest(task_state=task_state):
                CELL.put_instance(support.VM_WITH_DEVICE, "cmp-src", task_state)
                spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])
                self.assertEqual([h for h in NOVA_HOSTS if h != "cmp-src"], self.passing(spec))

    def test_a_rebuild_passes_its_host_without_asking_migcompat(self):
        self.set(url="http://127.0.0.1:%d" % support.free_port())
        self.live_migrating(support.VM_WITH_DEVICE)
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=[], hints={"_nova_check_type": ["rebuild"]})
        self.assertEqual(["cmp-src"], self.passing(spec, host_states(["cmp-src"])))


class LiveMigrationsOfInstancesMigCompatKnows(Case):

    def test_only_the_hosts_migcompat_offers_live_pass(self):
        self.live_migrating(support.VM_WITH_DEVICE)
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])
        self.assertEqual(["cmp-live", "cmp-newer"], self.passing(spec))

    def test_each_host_is_judged_as_the_table_says(self):
        self.live_migrating(support.VM_WITH_DEVICE)
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])
        table = [
            ("cmp-live", True),      # the same VF build, free
            ("cmp-newer", True),     # a newer build that accepts the source's
            ("cmp-cold", False),     # another NIC model: cold at best
            ("cmp-full", False),     # the right VF, none free
            ("cmp-unknown", False),  # a host MigCompat does not know
            ("cmp-src", False),      # the source itself, should Nova ever ask
        ]
        check = MigCompatFilter()
        for host, passes in table:
            with self.subTest(host=host):
                self.assertEqual(passes, check.host_passes(host_states([host])[0], spec))

    def test_one_request_asks_migcompat_once_whatever_the_number_of_hosts(self):
        self.live_migrating(support.VM_WITH_DEVICE)
        before = (SERVER.requests_served("GET", "/v1/hosts/{name}"),
                  SERVER.requests_served("POST", "/v1/migrations/targets"))
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])
        self.assertEqual(["cmp-live", "cmp-newer"], self.passing(spec))
        after = (SERVER.requests_served("GET", "/v1/hosts/{name}"),
                 SERVER.requests_served("POST", "/v1/migrations/targets"))
        self.assertEqual((1, 1), (after[0] - before[0], after[1] - before[1]))

    def test_a_retry_without_the_host_that_failed_asks_again_and_drops_it(self):
        # live_migrate.py appends a host that failed its pre-checks to ignore_hosts and asks again.
        self.live_migrating(support.VM_WITH_DEVICE)
        self.assertEqual(["cmp-newer"], self.passing(
            request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src", "cmp-live"])))

    def test_a_host_drained_in_migcompat_no_longer_passes(self):
        self.live_migrating(support.VM_WITH_DEVICE)
        SERVER.set_drained("cmp-newer", True)
        self.addCleanup(SERVER.set_drained, "cmp-newer", False)
        self.assertEqual(["cmp-live"], self.passing(request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])))

    def test_a_named_destination_passes_only_when_it_is_a_live_target(self):
        # `openstack server migrate --live-migration --host H` (not forced): the scheduler checks H alone.
        self.live_migrating(support.VM_WITH_DEVICE)
        for host, expected in (("cmp-live", ["cmp-live"]), ("cmp-cold", [])):
            with self.subTest(host=host):
                spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"], destination_host=host)
                self.assertEqual(expected, self.passing(spec))

    def test_an_instance_migcompat_knows_without_devices_passes_every_host_unless_nova_gave_it_devices(self):
        self.live_migrating(support.VM_WITHOUT_DEVICE)
        table = [
            (PLAIN_FLAVOR, [h for h in NOVA_HOSTS if h != "cmp-src"]),
            (VGPU_FLAVOR, []),  # Nova says it has a vGPU: MigCompat's empty list is missing information
        ]
        for extra_specs, expected in table:
            with self.subTest(extra_specs=extra_specs):
                spec = request_spec(support.VM_WITHOUT_DEVICE, ignore_hosts=["cmp-src"], extra_specs=extra_specs)
                self.assertEqual(expected, self.passing(spec))

    def test_nova_names_map_to_migcompat_names(self):
        self.set(host_attribute="nodename",
                 host_map={"node-live": "cmp-live", "node-cold": "cmp-cold", "nova-src": "cmp-src"})
        self.live_migrating(support.VM_WITH_DEVICE, source="nova-src")
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["nova-src"])
        hosts = host_states(["svc-live", "svc-cold"], nodename=lambda name: name.replace("svc", "node"))
        self.assertEqual(["svc-live"], self.passing(spec, hosts))

    def test_a_move_whose_kind_cannot_be_read_is_checked_as_a_live_migration(self):
        CELL.put_instance(support.VM_WITH_DEVICE, "cmp-src", "resize_prep")
        for spec in (request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"], with_context=False),
                     request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"], with_cell=False)):
            with self.subTest(spec=spec):
                self.assertEqual(["cmp-live", "cmp-newer"], self.passing(spec))


class LiveMigrationsMigCompatCannotAnswer(Case):

    def test_an_unknown_instance_whose_flavor_asks_for_a_device_passes_no_host(self):
        self.live_migrating(support.VM_UNKNOWN)
        for extra_specs in (VGPU_FLAVOR, {"resources1:CUSTOM_NVIDIA_63": "1"}, {"pci_passthrough:alias": "a1:1"}):
            with self.subTest(extra_specs=extra_specs):
                spec = request_spec(support.VM_UNKNOWN, ignore_hosts=["cmp-src"], extra_specs=extra_specs)
                self.assertEqual([], self.passing(spec))

    def test_an_unknown_instance_passes_every_host_when_the_operator_says_so(self):
        self.set(on_unknown_instance="pass")
        self.live_migrating(support.VM_UNKNOWN)
        spec = request_spec(support.VM_UNKNOWN, ignore_hosts=["cmp-src"])
        self.assertEqual([h for h in NOVA_HOSTS if h != "cmp-src"], self.passing(spec))

    def test_an_unknown_instance_whose_request_asks_for_no_device_passes_every_host(self):
        self.live_migrating(support.VM_UNKNOWN)
        spec = request_spec(support.VM_UNKNOWN, ignore_hosts=["cmp-src"], extra_specs=PLAIN_FLAVOR)
        self.assertEqual([h for h in NOVA_HOSTS if h != "cmp-src"], self.passing(spec))

    def test_an_instance_on_a_host_migcompat_does_not_know_is_unknown(self):
        self.live_migrating(support.VM_WITH_DEVICE, source="cmp-unknown")
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-unknown"])
        self.assertEqual([], self.passing(spec))

    def test_migcompat_down_passes_no_host_for_an_instance_with_devices(self):
        self.live_migrating(support.VM_WITH_DEVICE)
        with socket.socket() as silent:  # accepts connections, never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            table = [
                ("refused", {"url": "http://127.0.0.1:%d" % support.free_port()}),
                ("timeout", {"url": "http://127.0.0.1:%d" % silent.getsockname()[1], "timeout": 0.5}),
                ("wrong token", {"token": "not-the-token"}),
                ("no url", {"url": None}),
            ]
            for name, settings in table:
                with self.subTest(name):
                    self.set(**settings)
                    spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])
                    self.assertEqual([], self.passing(spec))

    def test_migcompat_down_passes_every_host_for_a_request_without_devices(self):
        self.set(url="http://127.0.0.1:%d" % support.free_port())
        self.live_migrating(support.VM_WITHOUT_DEVICE)
        spec = request_spec(support.VM_WITHOUT_DEVICE, ignore_hosts=["cmp-src"], extra_specs=PLAIN_FLAVOR)
        self.assertEqual([h for h in NOVA_HOSTS if h != "cmp-src"], self.passing(spec))

    def test_migcompat_down_passes_every_host_when_the_operator_says_so(self):
        self.set(url="http://127.0.0.1:%d" % support.free_port(), on_unavailable="pass")
        self.live_migrating(support.VM_WITH_DEVICE)
        spec = request_spec(support.VM_WITH_DEVICE, ignore_hosts=["cmp-src"])
        self.assertEqual([h for h in NOVA_HOSTS if h != "cmp-src"], self.passing(spec))


class TheConfiguration(unittest.TestCase):

    def test_the_defaults_refuse_rather_than_guess(self):
        self.assertEqual(("reject", "reject"), (CONF.migcompat.on_unavailable, CONF.migcompat.on_unknown_instance))

    def test_the_options_are_listed_for_the_config_generator(self):
        from migcompat_nova import conf
        [(group, options)] = conf.list_opts()
        self.assertEqual("migcompat", group.name)
        self.assertEqual(["url", "token", "timeout", "on_unavailable", "on_unknown_instance", "host_attribute",
                          "host_map", "device_resource_classes"], [o.name for o in options])
        self.assertTrue(next(o for o in options if o.name == "token").secret)


class TheClient(unittest.TestCase):

    def test_finds_a_guest_by_uuid_in_any_case(self):
        inventory = {"guests": [{"name": "a", "uuid": support.VM_WITH_DEVICE, "devices": ["x"]}]}
        self.assertEqual("a", mc_client.find_guest(inventory, support.VM_WITH_DEVICE.upper())["name"])
        self.assertIsNone(mc_client.find_guest(inventory, support.VM_UNKNOWN))
        self.assertIsNone(mc_client.find_guest({}, support.VM_WITH_DEVICE))


if __name__ == "__main__":
    unittest.main()
