from bench.bench_pages import measure


def test_the_page_benchmark_runs_at_a_tiny_size(db):
    lines = []
    results = measure(small=2, large=4, days=10, repeats=2, out=lines.append)

    assert set(results) == {
        "dashboard",
        "patient record",
        "alert queue",
        "patients API",
        "worst_ratio",
    }
    assert all(results[page]["ratio"] > 0 for page in ("dashboard", "alert queue"))
    assert any(line.startswith("worst ratio 4/2") for line in lines)


def test_seed_population_bulk_inserts_linked_patients(db, cleo, django_assert_max_num_queries):
    from accounts.access import patients_visible_to
    from clinic.population import seed_population
    from journal.models import DailyEntry

    with django_assert_max_num_queries(20):
        created = seed_population(clinician=cleo, patients=5, days=30)
    assert created == 5
    # Pat (the fixture's linked patient) plus the five synthetic ones.
    assert patients_visible_to(cleo).count() == 6
    assert DailyEntry.objects.filter(patient__email__startswith="synthetic-").count() > 5 * 10
    assert seed_population(clinician=cleo, patients=3, days=5) == 3  # again: new addresses
