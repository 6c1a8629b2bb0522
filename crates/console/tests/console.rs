//! The console end to end on a lone node: the shell, redis-cli one-shot and interactive, and
//! Redis's exact replies and errors (texts observed on Redis 7.0.15).
use console::{Console, Session, Started};
// The same tests run natively and, in headless Chromium, as wasm.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn started() -> Console {
    let mut c = Console::new(1);
    let out = c.eval("redis-server --port 7000 --cluster-enabled yes --daemonize yes");
    assert_eq!(out.text, "");
    c
}

fn at(c: &mut Console, line: &str) -> String {
    c.eval_at("127.0.0.1", 7000, line).text
}

#[test]
fn one_shot_and_interactive() {
    let mut c = started();
    assert_eq!(c.eval("redis-cli -p 7000 PING").text, "PONG\n");
    assert_eq!(c.prompt(), "$ ");
    assert_eq!(c.eval("redis-cli -p 7000").text, "");
    assert_eq!(c.prompt(), "127.0.0.1:7000> ");
    assert_eq!(c.eval("CLUSTER KEYSLOT foo").text, "(integer) 12182\n");
    assert_eq!(c.eval("ECHO \"a b\"").text, "\"a b\"\n");
    assert_eq!(c.eval("PING hello").text, "\"hello\"\n");
    assert_eq!(c.eval("").text, "");
    assert_eq!(c.eval("exit").text, "");
    assert_eq!(c.prompt(), "$ ");
}

#[test]
fn connection_refused() {
    let mut c = started();
    assert_eq!(
        c.eval("redis-cli -p 7009 PING").text,
        "Could not connect to Redis at 127.0.0.1:7009: Connection refused\n"
    );
    assert_eq!(
        c.eval("redis-cli -p 7009").text,
        "Could not connect to Redis at 127.0.0.1:7009: Connection refused\n"
    );
    assert_eq!(c.prompt(), "not connected> ");
    assert_eq!(
        c.eval("PING").text,
        "Could not connect to Redis at 127.0.0.1:7009: Connection refused\n"
    );
    assert_eq!(c.eval("connect 127.0.0.1 7000").text, "");
    assert_eq!(c.prompt(), "127.0.0.1:7000> ");
    assert_eq!(c.eval("PING").text, "PONG\n");
    // redis-cli reads -p with atoi.
    assert_eq!(
        c.eval_shell("redis-cli -p abc PING").text,
        "Could not connect to Redis at 127.0.0.1:0: Connection refused\n"
    );
    assert_eq!(
        c.eval_shell("redis-cli -p 70000 PING").text,
        "Could not connect to Redis at 127.0.0.1:70000: Connection refused\n"
    );
    assert_eq!(
        c.eval_shell("redis-cli --foo").text,
        "Unrecognized option or bad number of args for: '--foo'\n"
    );
}

#[test]
fn lone_node_cluster_nodes_and_info() {
    let mut c = started();
    let id = c.eval_shell("redis-cli -p 7000 --raw CLUSTER MYID").text;
    let id = id.trim_end();
    assert_eq!(id.len(), 40);
    assert_eq!(at(&mut c, "CLUSTER MYID"), format!("\"{id}\"\n"));
    assert_eq!(
        at(&mut c, "CLUSTER NODES"),
        format!("{id} :7000@17000 myself,master - 0 0 0 connected\n")
    );
    let info = |size: u8| {
        format!(
            "cluster_state:fail\r\ncluster_slots_assigned:0\r\ncluster_slots_ok:0\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:1\r\ncluster_size:{size}\r\ncluster_current_epoch:0\r\ncluster_my_epoch:0\r\ncluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\ntotal_cluster_links_buffer_limit_exceeded:0\r\n"
        )
    };
    // A fresh node reports cluster_size 1 until its first state update after the 2 s
    // writable delay, then 0 (observed on Redis 7.0.15).
    assert_eq!(at(&mut c, "CLUSTER INFO"), info(1));
    c.eval_shell("sleep 2");
    assert_eq!(at(&mut c, "CLUSTER INFO"), info(1));
    c.eval_shell("sleep 0.1");
    assert_eq!(at(&mut c, "CLUSTER INFO"), info(0));
}

#[test]
fn redis_errors_are_exact() {
    let mut c = started();
    let cases = [
        (
            "foo bar baz",
            "(error) ERR unknown command 'foo', with args beginning with: 'bar' 'baz' \n",
        ),
        (
            "foo",
            "(error) ERR unknown command 'foo', with args beginning with: \n",
        ),
        (
            "FOO \"a\nb\" c",
            "(error) ERR unknown command 'FOO', with args beginning with: 'a b' 'c' \n",
        ),
        (
            "ECHO",
            "(error) ERR wrong number of arguments for 'echo' command\n",
        ),
        (
            "ECHO a b",
            "(error) ERR wrong number of arguments for 'echo' command\n",
        ),
        (
            "PING a b",
            "(error) ERR wrong number of arguments for 'ping' command\n",
        ),
        (
            "CLUSTER",
            "(error) ERR wrong number of arguments for 'cluster' command\n",
        ),
        (
            "CLUSTER FOO",
            "(error) ERR unknown subcommand 'FOO'. Try CLUSTER HELP.\n",
        ),
        (
            "cluster foo bar",
            "(error) ERR unknown subcommand 'foo'. Try CLUSTER HELP.\n",
        ),
        (
            "CLUSTER MYSHARDID",
            "(error) ERR unknown subcommand 'MYSHARDID'. Try CLUSTER HELP.\n",
        ),
        (
            "CLUSTER KEYSLOT",
            "(error) ERR wrong number of arguments for 'cluster|keyslot' command\n",
        ),
        (
            "CLUSTER KEYSLOT a b",
            "(error) ERR wrong number of arguments for 'cluster|keyslot' command\n",
        ),
        (
            "CLUSTER MYID extra",
            "(error) ERR wrong number of arguments for 'cluster|myid' command\n",
        ),
        (
            "CLUSTER INFO extra",
            "(error) ERR wrong number of arguments for 'cluster|info' command\n",
        ),
        (
            "CLUSTER NODES extra",
            "(error) ERR wrong number of arguments for 'cluster|nodes' command\n",
        ),
        (
            "CLUSTER MEET 127.0.0.1",
            "(error) ERR wrong number of arguments for 'cluster|meet' command\n",
        ),
        ("ECHO \"abc", "Invalid argument(s)\n"),
        ("0 PING", "Invalid redis-cli repeat command option value.\n"),
        ("3 PING", "PONG\nPONG\nPONG\n"),
        (
            "x PING",
            "(error) ERR unknown command 'x', with args beginning with: 'PING' \n",
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(at(&mut c, line), expected, "reply to {line:?}");
    }
    // The argument list in the unknown-command error stops at 128 bytes.
    let long = "a".repeat(200);
    let text = at(&mut c, &format!("foo {long} b c"));
    assert_eq!(
        text,
        format!(
            "(error) ERR unknown command 'foo', with args beginning with: '{}' \n",
            "a".repeat(128)
        )
    );
}

#[test]
fn cluster_disabled_node() {
    let mut c = Console::new(1);
    c.eval("redis-server --port 7005 --daemonize yes");
    let at = |c: &mut Console, l: &str| c.eval_at("127.0.0.1", 7005, l).text;
    // CLUSTER NODES and INFO are printed verbatim, so the error has no "(error) ".
    assert_eq!(
        at(&mut c, "CLUSTER NODES"),
        "ERR This instance has cluster support disabled\n"
    );
    assert_eq!(
        at(&mut c, "CLUSTER KEYSLOT foo"),
        "(error) ERR This instance has cluster support disabled\n"
    );
    assert_eq!(at(&mut c, "PING"), "PONG\n");
}

#[test]
fn substitution_pastes_raw_output() {
    let mut c = started();
    let id = c.eval_shell("redis-cli -p 7000 CLUSTER MYID").text;
    let id = id.trim_end().trim_matches('"').to_string();
    let out = c.eval_at("127.0.0.1", 7000, "ECHO $(redis-cli -p 7000 CLUSTER MYID)");
    assert_eq!(out.line, format!("ECHO {id}"));
    assert_eq!(out.text, format!("\"{id}\"\n"));
    assert!(matches!(c.session(), Session::Cli(_)));
}

#[test]
fn shell_errors_are_clear() {
    let mut c = Console::new(1);
    assert_eq!(c.eval("frobnicate").text, "frobnicate: command not found\n");
    assert_eq!(c.eval("sleep").text, "sleep: missing operand\n");
    assert_eq!(
        c.eval("sleep abc").text,
        "sleep: invalid time interval 'abc'\n"
    );
    assert_eq!(
        c.eval("sleep -1").text,
        "sleep: invalid time interval '-1'\n"
    );
    assert_eq!(
        c.eval("redis-server --port 7001 --cluster-enabled maybe")
            .text,
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'cluster-enabled \"maybe\"'\nargument must be 'yes' or 'no'\n"
    );
    assert_eq!(c.eval("sim seed 5").text, "");
    c.eval("redis-server --port 7000 --cluster-enabled yes");
    assert_eq!(
        c.eval("sim seed 6").text,
        "sim: the seed can only be set before the first redis-server starts\n"
    );
    assert!(
        c.eval("sim log 7000")
            .text
            .contains("No cluster configuration found, I'm ")
    );
    assert_eq!(
        c.eval("sim log 7001").text,
        "sim: no redis-server has run on port 7001\n"
    );
    // Starting a second server on a busy port: silent when daemonized, as Redis is.
    assert_eq!(c.eval("redis-server --port 7000 --daemonize yes").text, "");
    assert!(c.eval("redis-server --port 7000").text.contains(
        "Could not create server TCP listening socket *:7000: bind: Address already in use"
    ));
}

#[test]
fn same_seed_same_ids_other_seed_other_ids() {
    let id = |seed: u64| {
        let mut c = Console::new(seed);
        c.eval("redis-server --port 7000 --cluster-enabled yes");
        c.eval("redis-cli -p 7000 CLUSTER MYID").text
    };
    assert_eq!(id(1), id(1));
    assert_ne!(id(1), id(2));
}

/// Runs a started line in slices of `ms` virtual milliseconds; returns its output, how many
/// slices it took and the progress shown along the way.
fn run_sliced(c: &mut Console, line: &str, ms: u64) -> (console::Output, usize, Vec<String>) {
    let mut step = c.start(line);
    let mut slices = 0;
    let mut seen = Vec::new();
    loop {
        match step {
            Started::Done(out) => return (out, slices, seen),
            Started::Running(job) => {
                slices += 1;
                assert_eq!(job.line(), line);
                // Only a `sleep` can be stopped midway (Ctrl-C in the playground).
                assert_eq!(job.sleeping(), line.starts_with("sleep "), "{line}");
                seen.push(job.progress());
                step = c.resume(job, ms);
            }
        }
    }
}

#[test]
fn a_line_resumed_in_slices_ends_as_if_it_ran_at_once() {
    let setup = |seed| {
        let mut c = Console::new(seed);
        for p in 7000..=7006 {
            c.eval(&format!(
                "redis-server --port {p} --cluster-enabled yes --daemonize yes"
            ));
        }
        c
    };
    let create = "redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 127.0.0.1:7004 127.0.0.1:7005 --cluster-replicas 1 --cluster-yes";
    let add = "redis-cli --cluster add-node 127.0.0.1:7006 127.0.0.1:7000 --cluster-slave";
    let mut whole = setup(4);
    let mut sliced = setup(4);
    for (line, min_slices) in [(create, 100), ("sleep 2.5", 300), (add, 100)] {
        let expected = whole.eval(line);
        let (out, slices, seen) = run_sliced(&mut sliced, line, 7);
        assert_eq!(out, expected, "{line}");
        assert!(slices >= min_slices, "{line}: {slices} slices");
        assert_eq!(sliced.sim().now(), whole.sim().now(), "{line}");
        assert_eq!(
            sliced.sim().trace_hash(),
            whole.sim().trace_hash(),
            "{line}"
        );
        // What was printed so far only grows, and ends as the output begins.
        for pair in seen.windows(2) {
            assert!(pair[1].starts_with(&pair[0]), "{line}: {pair:?}");
        }
        if let Some(last) = seen.last() {
            assert!(out.text.starts_with(last.as_str()), "{line}: {last:?}");
        }
    }
    assert!(
        whole
            .eval("redis-cli -p 7006 ROLE")
            .text
            .starts_with("1) \"slave\"")
    );
    // The join prints its dots as the seconds pass.
    let mut c = setup(4);
    let (_, _, seen) = run_sliced(&mut c, create, 100);
    assert!(
        seen.iter()
            .any(|p| p.ends_with("Waiting for the cluster to join\n."))
    );
    // Inside $(...) and in a pipe's first command nothing waits: the line ends at once.
    let mut c = setup(4);
    assert!(matches!(c.start("echo $(sleep 1)"), Started::Done(_)));
    assert!(matches!(
        c.start("sleep 1 | redis-cli -p 7000 PING"),
        Started::Done(_)
    ));
}

#[test]
fn a_stretch_cut_by_events_even_inside_a_millisecond_runs_the_same_events() {
    let setup = || {
        let mut c = Console::new(9);
        for p in 7000..=7005 {
            c.eval(&format!(
                "redis-server --port {p} --cluster-enabled yes --daemonize yes"
            ));
        }
        c.eval("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 127.0.0.1:7004 127.0.0.1:7005 --cluster-replicas 1 --cluster-yes");
        c
    };
    let mut whole = setup();
    whole.advance(5000);
    let mut cut = setup();
    let (start, mut inside, mut pieces) = (cut.sim().now(), 0, 0);
    loop {
        let left = 5000 - (cut.sim().now() - start);
        if cut.sim_mut().advance_at_most(left, 3) {
            break;
        }
        pieces += 1;
        // Stopped with events still due in the same millisecond.
        let now = cut.sim().now();
        let mut probe = cut.clone();
        probe.sim_mut().finish_millisecond();
        if probe.sim().events_run() > cut.sim().events_run() && probe.sim().now() == now {
            inside += 1;
        }
    }
    assert!(pieces > 100, "{pieces} pieces");
    assert!(inside > 0, "never stopped inside a millisecond");
    assert_eq!(cut.sim().now(), whole.sim().now());
    assert_eq!(cut.sim().events_run(), whole.sim().events_run());
    assert_eq!(cut.sim().trace_hash(), whole.sim().trace_hash());
    // A line resumed three events at a time ends as the whole line does.
    let mut a = setup();
    let mut b = setup();
    let expected = a.eval("sleep 2");
    let mut step = b.start("sleep 2");
    let out = loop {
        match step {
            Started::Done(out) => break out,
            Started::Running(job) => step = b.resume_at_most(job, 1000, 3),
        }
    };
    assert_eq!(out, expected);
    assert_eq!(b.sim().trace_hash(), a.sim().trace_hash());
}
