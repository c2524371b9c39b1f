//! Where and how `train --out` writes: it cleans up the temporary files of
//! writers that were killed, keeps those of live ones, writes through a
//! symbolic link to its target, and reports an OS error once.

mod support;

use stancekit::model::StanceModel;
use std::path::Path;
use support::{corpus, run, stderr, write};

/// Trains on the small corpus into `out`.
fn train(dir: &Path, out: &str) -> std::process::Output {
    let data = write(dir, "train.jsonl", corpus(1).as_bytes());
    run(&["train", "--data", &data, "--out", out, "--min-df", "1"])
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_save_removes_temporary_files_of_killed_writers_and_keeps_those_of_live_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // What a `train` killed while writing m.json leaves: a full-size file.
    let stale = write(d, ".m.json.4194301.tmp", &vec![b'x'; 1 << 20]);
    // A live writer's file: this process holds its lock.
    let live = write(d, ".m.json.77.tmp", b"being written");
    let held = std::fs::File::open(&live).unwrap();
    held.lock().unwrap();
    // Not ours to touch: another destination's, and a name with no pid.
    write(d, ".other.json.5.tmp", b"x");
    write(d, ".m.json.x.tmp", b"x");
    let out = d.join("m.json").display().to_string();
    let o = train(d, &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    StanceModel::load(Path::new(&out)).unwrap();
    assert!(!Path::new(&stale).exists(), "{:?}", names(d));
    assert_eq!(
        names(d),
        [
            ".m.json.77.tmp",
            ".m.json.x.tmp",
            ".other.json.5.tmp",
            "m.json",
            "train.jsonl"
        ]
    );
    // Once its writer is gone, the next save removes it too.
    drop(held);
    let o = train(d, &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!Path::new(&live).exists(), "{:?}", names(d));
}

#[cfg(unix)]
#[test]
fn a_symlink_given_as_out_is_written_through_to_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let (links, models) = (dir.path().join("links"), dir.path().join("models"));
    std::fs::create_dir_all(&links).unwrap();
    std::fs::create_dir_all(&models).unwrap();
    std::fs::write(models.join("m.json"), b"old").unwrap();
    // A relative link, and a link to that link.
    std::os::unix::fs::symlink("../models/m.json", links.join("m.json")).unwrap();
    std::os::unix::fs::symlink("m.json", links.join("again.json")).unwrap();
    for name in ["m.json", "again.json"] {
        let link = links.join(name);
        let o = train(dir.path(), &link.display().to_string());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        StanceModel::load(&models.join("m.json")).unwrap();
        assert_eq!(names(&links), ["again.json", "m.json"]);
        assert_eq!(names(&models), ["m.json"]);
        std::fs::write(models.join("m.json"), b"old").unwrap();
    }
    // A dangling link: its target is created.
    std::os::unix::fs::symlink("../models/new.json", links.join("new.json")).unwrap();
    let o = train(dir.path(), &links.join("new.json").display().to_string());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    StanceModel::load(&models.join("new.json")).unwrap();
    // A loop is an error naming the path, not a hang.
    std::os::unix::fs::symlink("loop.json", links.join("loop.json")).unwrap();
    let out = links.join("loop.json").display().to_string();
    let o = train(dir.path(), &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{out}: too many levels of symbolic links")),
        "{}",
        stderr(&o)
    );
}

/// The OS error's text (e.g. "Not a directory (os error 20)") appears once.
fn assert_said_once(o: &std::process::Output, out: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("{err}"));
    let os = line.rsplit(": ").next().unwrap();
    assert!(os.contains("(os error"), "{line}");
    assert_eq!(line.matches(os).count(), 1, "{line}");
    assert!(line.contains(out), "{line}");
}

#[test]
fn a_model_write_the_os_refuses_names_the_file_and_says_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "plain", b"a file, not a directory");
    let out = format!("{file}/m.json");
    assert_said_once(&train(dir.path(), &out), &out);
    // A read-only directory, where permissions bind (not for root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), b"").is_err() {
            let out = ro.join("m.json").display().to_string();
            assert_said_once(&train(dir.path(), &out), &out);
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}
