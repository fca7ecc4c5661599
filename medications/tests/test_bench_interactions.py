from bench.bench_interactions import main, make_regimens


def test_the_benchmark_runs_at_a_tiny_size(capsys):
    rate = main(200, rounds=1)

    assert rate > 0
    assert "regimens/second" in capsys.readouterr().out


def test_benchmark_regimens_are_realistic():
    regimens = make_regimens(300)
    assert all(3 <= len(courses) <= 8 for courses in regimens)
    tiers = {c.drug.serotonergic for courses in regimens for c in courses if c.drug}
    assert tiers == {"maoi", "strong", "weak", "none"}
    assert any(c.stopped_on for courses in regimens for c in courses)
    assert any(c.drug is None for courses in regimens for c in courses)
