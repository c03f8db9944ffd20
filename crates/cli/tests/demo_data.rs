//! `zongzhi demo-data` seeds an empty database, streams the cases asked for, continues the
//! tracking numbers on a second run, and leaves an intact audit chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn zongzhi(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zongzhi"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("ZONGZHI_DEMO_PASSWORD", "Demo!2026pass")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn demo_data_streams_cases_into_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = zongzhi(
        dir.path(),
        &["demo-data", "--cases", "150", "--months", "2"],
    );
    assert!(ok, "{out}");
    assert!(out.contains("已创建演示辖区"), "{out}");
    assert!(out.contains("完成：写入 150 件"), "{out}");
    // A second run adds to the same days without a tracking-number collision.
    let (ok, out) = zongzhi(
        dir.path(),
        &[
            "demo-data",
            "--cases",
            "100",
            "--months",
            "2",
            "--seed",
            "9",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("完成：写入 100 件") && !out.contains("已创建演示辖区"),
        "{out}"
    );
    let (ok, out) = zongzhi(dir.path(), &["audit", "verify"]);
    assert!(ok && out.contains("audit chain OK"), "{out}");
}
