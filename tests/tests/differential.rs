//! Differential test against real Redis: a scenario file's `$` and prompt lines run once in
//! ClusterLab and once against real `redis-server` processes on 127.0.0.1 (Debian's 7.0), and
//! the two transcripts must agree after normalising what legitimately differs: node ids, ms
//! timestamps, bus message counters, and the order of lines Redis prints in hash order.
//!
//! It needs `redis-server` and `redis-cli` on PATH and takes real time (the scenario's sleeps),
//! so it is `#[ignore]`d in plain `cargo test`; `scripts/test.sh` installs Redis and runs it.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use console::{Console, Scenario, Typed, expand_substitutions, split_args, split_shell};

/// Real servers started by the test, stopped however the test ends.
struct RealCluster {
    dir: PathBuf,
    started: Vec<(u16, Vec<String>)>,
}

impl Drop for RealCluster {
    fn drop(&mut self) {
        for (port, _) in &self.started {
            kill(&self.dir, *port, "KILL");
        }
    }
}

fn pid_file(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!("{port}.pid"))
}

fn kill(dir: &Path, port: u16, signal: &str) {
    if let Ok(pid) = std::fs::read_to_string(pid_file(dir, port)) {
        let _ = Command::new("kill")
            .args([format!("-{signal}"), pid.trim().to_string()])
            .status();
    }
}

/// Runs a shell line as a user would, in bash, with redis-cli in terminal-style output.
fn bash(line: &str) -> String {
    // Standard error joins standard output, so lines interleave as on a terminal.
    let out = Command::new("bash")
        .args(["-c", &format!("exec 2>&1; {line}")])
        .env("TERM", "dumb")
        .output()
        .expect("bash runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl RealCluster {
    fn shell(&mut self, line: &str) -> Option<String> {
        let words = split_shell(line).ok()?;
        match words.first().map(String::as_str) {
            Some("redis-server") => {
                let port: u16 = words
                    .iter()
                    .position(|w| w == "--port")
                    .and_then(|i| words.get(i + 1))
                    .and_then(|p| p.parse().ok())
                    .expect("scenario servers name their port");
                let mut args = words[1..].to_vec();
                let dir = self.dir.display().to_string();
                args.extend(
                    [
                        "--dir",
                        &dir,
                        "--cluster-config-file",
                        &format!("nodes-{port}.conf"),
                        "--pidfile",
                        &pid_file(&self.dir, port).display().to_string(),
                        "--logfile",
                        &format!("{port}.log"),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--bind",
                        "127.0.0.1",
                        "--daemonize",
                        "yes",
                    ]
                    .map(String::from),
                );
                self.start(port, &args);
                self.started.push((port, args));
                Some(String::new())
            }
            Some("sleep") => {
                let secs: f64 = words.get(1)?.parse().ok()?;
                std::thread::sleep(Duration::from_secs_f64(secs));
                Some(String::new())
            }
            Some("sim") => {
                let port: u16 = words.get(2)?.parse().ok()?;
                match words.get(1).map(String::as_str) {
                    Some("kill") => kill(&self.dir, port, "INT"),
                    Some("crash") => kill(&self.dir, port, "KILL"),
                    Some("restart") => {
                        let args = self
                            .started
                            .iter()
                            .find(|(p, _)| *p == port)
                            .map(|(_, a)| a.clone())?;
                        self.start(port, &args);
                    }
                    _ => return None, // not comparable (sim log, sim seed, ...)
                }
                Some(String::new())
            }
            // The top-level redis-cli prints for a terminal; inner $(...) ones stay raw.
            // Line-buffered like on a terminal, so its stdout and stderr interleave in order.
            Some("redis-cli") => Some(bash(&line.replacen(
                "redis-cli",
                "stdbuf -oL -eL redis-cli --no-raw",
                1,
            ))),
            _ => Some(bash(line)),
        }
    }

    fn start(&self, port: u16, args: &[String]) {
        // A server that was just killed may still be writing its exit: wait until it is gone.
        for _ in 0..100 {
            if bash(&format!("redis-cli -p {port} PING")).contains("PONG") {
                std::thread::sleep(Duration::from_millis(20));
            } else {
                break;
            }
        }
        let status = Command::new("redis-server")
            .args(args)
            .status()
            .expect("redis-server runs");
        assert!(status.success(), "redis-server {args:?} failed");
        // Daemonized: wait until it answers.
        for _ in 0..200 {
            if bash(&format!("redis-cli -p {port} PING")).contains("PONG") {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server on {port} did not come up");
    }

    fn prompt(&mut self, host: &str, port: u16, command: &str) -> String {
        let expanded = expand_substitutions(command, |inner| bash(inner).trim_end().to_string())
            .unwrap_or_else(|_| command.to_string());
        let Ok(argv) = split_args(expanded.as_bytes()) else {
            return "Invalid argument(s)\n".into();
        };
        let out = Command::new("bash")
            .args([
                "-c",
                "exec 2>&1; exec stdbuf -oL -eL redis-cli --no-raw \"$@\"",
                "redis-cli",
            ])
            .args(["-h", host, "-p", &port.to_string()])
            .args(argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()))
            .env("TERM", "dumb")
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// What differs between any two runs, real or simulated, replaced or reordered.
fn normalise(command: &str, output: &str) -> Vec<String> {
    let mut lines: Vec<String> = output
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.starts_with("cluster_stats_messages_"))
        .map(|l| {
            let mut s = String::new();
            let mut run = String::new();
            let flush = |run: &mut String, s: &mut String| {
                if run.len() == 40 && run.bytes().all(|b| b.is_ascii_hexdigit()) {
                    s.push_str("<id>");
                } else if run.len() == 8
                    && run.bytes().all(|b| b.is_ascii_hexdigit())
                    && s.ends_with('(')
                {
                    // `--cluster info` shows ids as `(d48ede90...)`.
                    s.push_str("<id8>");
                } else if run.len() == 13 && run.bytes().all(|b| b.is_ascii_digit()) {
                    s.push_str("<ms>");
                } else {
                    s.push_str(run);
                }
                run.clear();
            };
            for ch in l.chars() {
                if ch.is_ascii_alphanumeric() {
                    run.push(ch);
                } else {
                    flush(&mut run, &mut s);
                    s.push(ch);
                }
            }
            flush(&mut run, &mut s);
            s
        })
        .collect();
    // How many seconds redis-cli waits for the join (one dot each) depends on gossip timing:
    // the line after "Waiting for the cluster to join" is racy on real Redis too.
    for i in 1..lines.len() {
        if lines[i - 1] == "Waiting for the cluster to join" {
            lines[i] = "<dots>".into();
        }
    }
    let upper = command.to_ascii_uppercase();
    if upper.contains("CLUSTER NODES") {
        // A node flagged fail is down: Redis makes a new link to it every 100 ms and frees it
        // when the connect is refused, so whether CLUSTER NODES catches it `connected` or
        // `disconnected` is a race on real Redis (seen both ways on a loaded machine).
        // Likewise a healthy node's ping_sent: 0, or the time of a PING whose PONG is still
        // on its way (a window of well under a millisecond that real Redis is caught in now and
        // then). For a failing node a pending PING is the point, and is compared.
        // And `myself`'s pong_received: it is only ever set from gossip about the node itself,
        // whose subjects each sender picks at random, so a node that was in a cluster for a
        // couple of seconds (then reset by del-node) shows 0 or a time (seen both ways).
        for l in &mut lines {
            let mut fields: Vec<String> = l.split(' ').map(str::to_string).collect();
            let flags: Vec<String> = fields
                .get(2)
                .map(|f| f.split(',').map(str::to_string).collect())
                .unwrap_or_default();
            let fail = flags.iter().any(|x| x == "fail");
            let suspect = fail || flags.iter().any(|x| x == "fail?");
            if fail && fields.get(7).is_some_and(|s| s.ends_with("connected")) {
                fields[7] = "<link>".into();
            }
            if !suspect && fields.get(4).is_some_and(|p| p == "0" || p == "<ms>") {
                fields[4] = "<ping>".into();
            }
            if flags.iter().any(|x| x == "myself")
                && fields.get(5).is_some_and(|p| p == "0" || p == "<ms>")
            {
                fields[5] = "<pong>".into();
            }
            *l = fields.join(" ");
        }
        lines.sort();
    }
    // The command itself, after a prompt's `host:port> ` (what `compare` passes).
    let typed = upper
        .rsplit_once("> ")
        .map_or(upper.as_str(), |(_, c)| c)
        .trim();
    if typed == "ROLE" {
        // A master's replication offset grows by 14 bytes with each PING its replication cron
        // sends, every 10 s from a phase set by when the process started: whether a read falls
        // just before or just after one is a race on real Redis (seen both ways two seconds
        // after a TAKEOVER). The offsets are left out here; the scenario tests still pin the
        // simulator's own.
        let master = lines.first().is_some_and(|l| l == "1) \"master\"");
        for (i, l) in lines.iter_mut().enumerate() {
            let trimmed = l.trim_start();
            let indent = l.len() - trimmed.len();
            if (master && i == 1 && trimmed.starts_with("2) (integer) "))
                || (!master && trimmed.starts_with("5) (integer) "))
            {
                *l = format!("{}{}<offset>", &l[..indent], &trimmed[..13]);
            } else if master && indent > 0 && trimmed.starts_with("3) \"") {
                *l = format!("{}3) <offset>", &l[..indent]);
            }
        }
    }
    if ["--CLUSTER INFO", "--CLUSTER CHECK", "--CLUSTER FIX"]
        .iter()
        .any(|c| upper.contains(c))
    {
        // One line per master, in the first node's hash order.
        let (mut info, rest): (Vec<String>, Vec<String>) =
            lines.into_iter().partition(|l| l.contains(" keys | "));
        info.sort();
        info.extend(rest);
        lines = info;
    }
    if [
        "--CLUSTER CREATE",
        "--CLUSTER CHECK",
        "--CLUSTER ADD-NODE",
        "--CLUSTER RESHARD",
        "--CLUSTER FIX",
    ]
    .iter()
    .any(|c| upper.contains(c))
    {
        // The check lists nodes in the first node's hash order: sort the node blocks.
        let mut out = Vec::new();
        let mut blocks: Vec<Vec<String>> = Vec::new();
        let mut in_check = false;
        for l in lines {
            if l.starts_with(">>> Performing Cluster Check") {
                in_check = true;
                out.push(l);
                continue;
            }
            if in_check && (l.starts_with("M: ") || l.starts_with("S: ")) {
                blocks.push(vec![l]);
            } else if in_check && l.starts_with("   ") && !blocks.is_empty() {
                blocks.last_mut().expect("a block").push(l);
            } else {
                if in_check {
                    blocks.sort();
                    out.extend(blocks.drain(..).flatten());
                    in_check = false;
                }
                out.push(l);
            }
        }
        lines = out;
    }
    lines
}

/// Plays the scenario on ClusterLab and on a real cluster; a second real run when the first
/// differs. ClusterLab is deterministic, a real cluster is not: a race of real Redis that the
/// normalising misses (each one found so far is described there) then shows in the log
/// instead of failing CI, while a real difference shows up twice and fails.
fn compare(scenario_file: &str) {
    let first = differences(scenario_file);
    if first.is_empty() {
        return;
    }
    eprintln!("{scenario_file}: the first run differed, trying once more:\n{first}");
    let second = differences(scenario_file);
    assert!(
        second.is_empty(),
        "ClusterLab (+) differs from real Redis (-):\n{second}"
    );
}

/// The steps where ClusterLab's output differs from real Redis's, in the `diff_lines` form.
fn differences(scenario_file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(scenario_file);
    let text = std::fs::read_to_string(&path).expect("scenario file");
    let scenario = Scenario::parse(&text);
    // A fresh folder per run and scenario: a leftover nodes.conf would bring old identities back.
    let name = Path::new(scenario_file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/differential")
        .join(format!("{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("work dir");
    let mut real = RealCluster {
        dir,
        started: Vec::new(),
    };
    let mut sim = Console::new(1);
    let mut differences = String::new();
    for step in &scenario.steps {
        let (label, sim_out, real_out) = match &step.typed {
            Typed::Shell(cmd) => {
                let s = sim.eval_shell(cmd).text;
                let Some(r) = real.shell(cmd) else {
                    continue;
                };
                (format!("$ {cmd}"), s, r)
            }
            Typed::Prompt {
                host,
                port,
                command,
            } => {
                let s = sim.eval_at(host, *port, command).text;
                let r = real.prompt(host, *port, command);
                (format!("{host}:{port}> {command}"), s, r)
            }
        };
        let (a, b) = (normalise(&label, &sim_out), normalise(&label, &real_out));
        if a != b {
            differences.push_str(&format!("line {}: {label}\n", step.line_no));
            for l in console::diff_lines(&b, &a) {
                differences.push_str(&format!("{l}\n"));
            }
        }
    }
    differences
}

/// The seed scenario at cluster-node-timeout 2000 against a real cluster.
#[test]
#[ignore = "needs redis-server 7.0 and takes about a minute of real time; scripts/test.sh runs it"]
fn seed_failover_matches_real_redis() {
    compare("scenarios/seed-failover.txt");
}

/// A lone node: redis-cli basics, CLUSTER NODES/INFO/HELP of a node that met nobody.
#[test]
#[ignore = "needs redis-server 7.0; scripts/test.sh runs it"]
fn lone_node_matches_real_redis() {
    compare("scenarios/lone-node.txt");
}

/// Slot and epoch commands with their errors, and a MEET to a dead port that expires.
#[test]
#[ignore = "needs redis-server 7.0 and about 20 s of real time; scripts/test.sh runs it"]
fn slot_commands_match_real_redis() {
    compare("scenarios/slot-commands.txt");
}

/// redis-cli --cluster add-node, as a replica of a chosen master and as an empty master.
#[test]
#[ignore = "needs redis-server 7.0 and about 10 s of real time; scripts/test.sh runs it"]
fn add_node_matches_real_redis() {
    compare("scenarios/cluster-add-node.txt");
}

/// CLUSTER SETSLOT NODE and its errors on a cluster with a replica.
#[test]
#[ignore = "needs redis-server 7.0 and about 10 s of real time; scripts/test.sh runs it"]
fn setslot_matches_real_redis() {
    compare("scenarios/cluster-setslot.txt");
}

/// Keys, redirections, CROSSSLOT, redis-cli -c, replicas and CLUSTERDOWN against a real cluster.
#[test]
#[ignore = "needs redis-server 7.0 and takes about half a minute of real time; scripts/test.sh runs it"]
fn data_path_matches_real_redis() {
    compare("scenarios/data-path.txt");
}

/// Moving a slot by hand (SETSLOT MIGRATING/IMPORTING/NODE, MIGRATE, ASK, TRYAGAIN) against a
/// real cluster.
#[test]
#[ignore = "needs redis-server 7.0 and takes a few seconds of real time; scripts/test.sh runs it"]
fn resharding_by_hand_matches_real_redis() {
    compare("scenarios/resharding-by-hand.txt");
}

/// `redis-cli --cluster reshard` and `del-node` against a real cluster.
#[test]
#[ignore = "needs redis-server 7.0 and takes a few seconds of real time; scripts/test.sh runs it"]
fn reshard_and_del_node_match_real_redis() {
    compare("scenarios/cluster-reshard-del-node.txt");
}

/// `--cluster rebalance` (weights, empty masters, simulate, threshold) and `--cluster fix`
/// (open slots by case, an uncovered slot after a piped `yes`).
#[test]
#[ignore = "needs redis-server 7.0; scripts/test.sh runs it"]
fn rebalance_and_fix_match_real_redis() {
    compare("scenarios/cluster-rebalance-fix.txt");
}

/// Lazy and active expiry with the DELs to a replica, DBSIZE counting expired keys,
/// DEBUG SET-ACTIVE-EXPIRE, SETEX/PSETEX, CONFIG appendonly, CONFIG REWRITE, SAVE.
#[test]
#[ignore = "needs redis-server 7.0; scripts/test.sh runs it"]
fn expiry_matches_real_redis() {
    compare("scenarios/expiry.txt");
}

/// CLUSTER FAILOVER (refused on a master; the pause, the election, the old master's partial
/// resync), FORCE and TAKEOVER.
#[test]
#[ignore = "needs redis-server 7.0; scripts/test.sh runs it"]
fn manual_failover_matches_real_redis() {
    compare("scenarios/manual-failover.txt");
}

/// The comparison's own rules: ROLE's replication offsets are left out, and nothing else.
#[test]
fn only_roles_offsets_are_left_out() {
    let master = "1) \"master\"\n2) (integer) 28\n3) 1) 1) \"127.0.0.1\"\n      2) \"7003\"\n      3) \"28\"\n";
    let earlier = master.replace("28", "14");
    assert_eq!(normalise("ROLE", master), normalise("ROLE", &earlier));
    // As `compare` labels it: the command after its prompt.
    let prompt = "127.0.0.1:7000> ROLE";
    assert_eq!(normalise(prompt, master), normalise(prompt, &earlier));
    assert_eq!(
        normalise("ROLE", master),
        [
            "1) \"master\"",
            "2) (integer) <offset>",
            "3) 1) 1) \"127.0.0.1\"",
            "      2) \"7003\"",
            "      3) <offset>"
        ]
    );
    // The replica's port and role still count.
    assert_ne!(
        normalise("ROLE", master),
        normalise("ROLE", &master.replace("7003", "7004"))
    );
    let replica =
        "1) \"slave\"\n2) \"127.0.0.1\"\n3) (integer) 7003\n4) \"connected\"\n5) (integer) 28\n";
    assert_eq!(
        normalise("ROLE", replica),
        normalise("ROLE", &replica.replace("(integer) 28", "(integer) 42"))
    );
    assert_ne!(
        normalise("ROLE", replica),
        normalise("ROLE", &replica.replace("7003", "7000"))
    );
    // Other commands keep their numbers.
    assert_ne!(
        normalise("DBSIZE", "(integer) 28"),
        normalise("DBSIZE", "(integer) 14")
    );
}

/// The comparison's own rules: a failed node's link state, a healthy node's pending PING and
/// the node's own pong time are races on real Redis; nothing else about a node is left out.
#[test]
fn only_a_failed_nodes_link_state_is_left_out() {
    let id = "a".repeat(40);
    let nodes = |flags: &str, link: &str| {
        format!("{id} 127.0.0.1:7000@17000 {flags} - 0 1579044890000 1 {link} 0-5460\n")
    };
    let n = |flags: &str, link: &str| normalise("CLUSTER NODES", &nodes(flags, link));
    assert_eq!(
        n("master,fail", "connected"),
        n("master,fail", "disconnected")
    );
    assert_ne!(n("master", "connected"), n("master", "disconnected"));
    assert_ne!(
        n("master,fail?", "connected"),
        n("master,fail?", "disconnected")
    );
    // A PING in flight to a healthy node is a race; to a suspected one it is compared.
    let ping = |flags: &str, sent: &str| {
        normalise(
            "CLUSTER NODES",
            &format!("{id} 127.0.0.1:7000@17000 {flags} - {sent} 1579044890000 1 connected\n"),
        )
    };
    assert_eq!(ping("master", "0"), ping("master", "1579044890100"));
    assert_ne!(
        ping("master,fail?", "0"),
        ping("master,fail?", "1579044890100")
    );
    // The node's own pong time comes from random gossip; another node's is compared.
    let pong = |flags: &str, received: &str| {
        normalise(
            "CLUSTER NODES",
            &format!("{id} 127.0.0.1:7003@17003 {flags} - 0 {received} 0 connected\n"),
        )
    };
    assert_eq!(
        pong("myself,master", "0"),
        pong("myself,master", "1579044890000")
    );
    assert_ne!(pong("master", "0"), pong("master", "1579044890000"));
}
