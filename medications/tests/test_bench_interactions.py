from bench.bench_interactions import main, make_regimens


def test_the_benchmark_runs_at_a_tiny_size(capsys):
    rate = main(200, rounds=1)

    assert rate > 0
    assert "regimens/second" in capsys.readouterr().out


def test_benchmark_regimens_are_realistic():
    regimens = make_regimens(300)
    assert all(3 <= len(courses) <= 8 for courses in regimens)
    drugs = [c.drug for courses in regimens for c in courses if c.drug]
    tiers = {drug.serotonergic for drug in drugs}
    assert tiers == {"maoi", "maob", "strong", "weak", "none"}
    # v2: combination products and tier-"none" drugs with a blood-pressure class are in the mix
    assert any(drug.ingredients for drug in drugs)
    assert any(drug.serotonergic == "none" and drug.classes for drug in drugs)
    assert any(c.stopped_on for courses in regimens for c in courses)
    assert any(c.drug is None for courses in regimens for c in courses)


def test_the_benchmark_prints_a_figure_with_name_resolution(capsys):
    main(200, rounds=1)

    out = capsys.readouterr().out
    assert "with name resolution" in out
    assert "names/second" in out


def test_decorated_names_in_the_benchmark_resolve_like_the_plain_ones():
    from bench.bench_interactions import TODAY, name_index, resolve_and_assess, typed_regimens
    from medications.interactions import assess

    regimens = make_regimens(300)
    index = name_index()
    for courses, typed in zip(regimens, typed_regimens(regimens), strict=True):
        assert resolve_and_assess(typed, index).counted == assess(courses, TODAY).counted


def test_benchmark_regimens_reach_every_v2_mechanism():
    from bench.bench_interactions import TODAY
    from medications.interactions import assess

    results = [assess(courses, TODAY) for courses in make_regimens(2000)]
    severities = {result.severity for result in results}
    mechanisms = {finding.mechanism for result in results for finding in result.findings}
    assert severities == {"none", "minor", "moderate", "major", "contraindicated"}
    assert mechanisms == {"serotonergic", "hypertensive"}
