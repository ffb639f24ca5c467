import subprocess

from jupyter_mlops.capture import environment


def test_snapshot_and_id_are_stable():
    env = environment.snapshot()
    assert env["packages"]["jupyter-mlops"]
    assert environment.environment_id(env) == environment.environment_id(environment.snapshot())
    changed = {**env, "packages": {**env["packages"], "numpy": "0.0.1"}}
    assert environment.environment_id(changed) != environment.environment_id(env)


def test_git_state_commit_and_dirty(tmp_path):
    assert environment.git_state(tmp_path) == (None, None)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "nb.ipynb").write_text("{}")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    commit, dirty = environment.git_state(tmp_path)
    assert len(commit) == 40 and dirty is False
    (tmp_path / "nb.ipynb").write_text('{"changed": 1}')
    assert environment.git_state(tmp_path) == (commit, True)
