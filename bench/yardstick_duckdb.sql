-- Yardstick: spec sections 1–5 hand-written as one DuckDB script over a folder of canonical Parquet files.
-- Placeholders (filled by bench/yardstick_duckdb.py): {dir} the folder, {t} the as-of date T,
-- {s} the equity window start S (T − 12 months). No validation: the files are taken as canonical.
SET TimeZone = 'UTC';

CREATE TEMP VIEW employees AS SELECT * FROM read_parquet('{dir}/employees.parquet');
CREATE TEMP VIEW roles AS SELECT * FROM read_parquet('{dir}/roles.parquet');
CREATE TEMP VIEW reqs AS SELECT * FROM read_parquet('{dir}/role_requirements.parquet');
CREATE TEMP VIEW targets AS SELECT * FROM read_parquet('{dir}/capability_targets.parquet');
CREATE TEMP VIEW movements AS SELECT * FROM read_parquet('{dir}/movements.parquet');
CREATE TEMP VIEW evidence AS SELECT * FROM read_parquet('{dir}/evidence.parquet');

-- §1 proficiency at T and at S (the pipeline-equity snapshot), in one scan of the evidence
CREATE TEMP TABLE prof AS
WITH w AS (
  SELECT e.employee_id, e.competency_id, e.level, e.observed_on, d.snap,
         (CASE e.evidence_type WHEN 'performance_task' THEN 1.0 WHEN 'rubric_review' THEN 1.0
            WHEN 'customer_outcome' THEN 0.9 WHEN 'credential' THEN 0.8 WHEN 'manager_endorsement' THEN 0.7
            WHEN 'peer_feedback' THEN 0.5 WHEN 'self_assessment' THEN 0.2 ELSE 0.0 END)
         * (CASE WHEN coalesce(e.verified, false) THEN 1.0 ELSE 0.5 END)
         * pow(0.5, (d.snap - e.observed_on) / 365.0) AS w
  FROM evidence e, (VALUES (DATE '{t}'), (DATE '{s}')) d(snap)
  WHERE e.observed_on <= d.snap
), agg AS (
  SELECT snap, employee_id, competency_id,
         sum(w) FILTER (WHERE level >= 1) AS w1, sum(w) FILTER (WHERE level >= 2) AS w2,
         sum(w) FILTER (WHERE level >= 3) AS w3, sum(w) FILTER (WHERE level >= 4) AS w4,
         sum(w) FILTER (WHERE level >= 5) AS w5, count(*) AS n_evidence, max(observed_on) AS last_observed_on
  FROM w GROUP BY ALL
)
SELECT snap, employee_id, competency_id,
       CASE WHEN w5 >= 1 - 1e-9 THEN 5 WHEN w4 >= 1 - 1e-9 THEN 4 WHEN w3 >= 1 - 1e-9 THEN 3
            WHEN w2 >= 1 - 1e-9 THEN 2 WHEN w1 >= 1 - 1e-9 THEN 1 ELSE 0 END AS level,
       CASE WHEN w5 >= 1 - 1e-9 THEN w5 WHEN w4 >= 1 - 1e-9 THEN w4 WHEN w3 >= 1 - 1e-9 THEN w3
            WHEN w2 >= 1 - 1e-9 THEN w2 WHEN w1 >= 1 - 1e-9 THEN w1 ELSE 0 END AS evidence_weight,
       n_evidence, last_observed_on
FROM agg;

-- role held at T and at S: latest movement on or before the date, else the first movement's from-role, else current
CREATE TEMP TABLE role_at AS
WITH d(snap) AS (VALUES (DATE '{t}'), (DATE '{s}')),
last_move AS (
  SELECT d.snap, m.employee_id, arg_max(m.to_role_id, m.effective_date) AS to_role
  FROM movements m JOIN d ON m.effective_date <= d.snap GROUP BY ALL
), first_move AS (
  SELECT employee_id, arg_min(from_role_id, effective_date) AS from_role FROM movements GROUP BY ALL
)
SELECT d.snap, e.employee_id, e.team, coalesce(l.to_role, f.from_role, e.role_id) AS role_id
FROM employees e CROSS JOIN d
LEFT JOIN last_move l ON l.employee_id = e.employee_id AND l.snap = d.snap
LEFT JOIN first_move f ON f.employee_id = e.employee_id
WHERE e.hire_date <= d.snap AND (e.exit_date IS NULL OR e.exit_date > d.snap);

-- §2 readiness against the current and the next role, at T and at S
CREATE TEMP TABLE readiness AS
WITH targets_of AS (
  SELECT a.snap, a.employee_id, a.role_id AS target_role_id, 'current' AS relation FROM role_at a
  UNION ALL
  SELECT a.snap, a.employee_id, r.next_role_id, 'next' FROM role_at a JOIN roles r USING (role_id)
  WHERE r.next_role_id IS NOT NULL
), scored AS (
  SELECT t.snap, t.employee_id, t.target_role_id, t.relation,
         sum(q.weight * least(1.0, coalesce(p.level, 0) / q.required_level)) / sum(q.weight) AS readiness,
         count(*) FILTER (WHERE coalesce(p.level, 0) < q.required_level) AS n_gaps,
         count(*) FILTER (WHERE coalesce(p.level, 0) < q.required_level AND q.critical) AS n_critical_gaps
  FROM targets_of t JOIN reqs q ON q.role_id = t.target_role_id
  LEFT JOIN prof p ON p.snap = t.snap AND p.employee_id = t.employee_id AND p.competency_id = q.competency_id
  GROUP BY ALL
)
SELECT *, CASE WHEN readiness >= 0.9 - 1e-9 AND n_critical_gaps = 0 THEN 'ready_now'
               WHEN readiness >= 0.7 - 1e-9 THEN 'ready_soon' ELSE 'developing' END AS band
FROM scored;

-- §3 bench strength per role at T
CREATE TEMP TABLE bench AS
WITH inc AS (SELECT role_id, count(*) AS incumbents FROM role_at WHERE snap = DATE '{t}' GROUP BY ALL),
cand AS (
  SELECT target_role_id AS role_id, count(*) AS candidates,
         count(*) FILTER (WHERE band = 'ready_now') AS ready_now,
         count(*) FILTER (WHERE band = 'ready_soon') AS ready_soon
  FROM readiness WHERE snap = DATE '{t}' AND relation = 'next' GROUP BY ALL
)
SELECT r.role_id, r.critical, coalesce(i.incumbents, 0) AS incumbents, coalesce(c.candidates, 0) AS candidates,
       coalesce(c.ready_now, 0) AS ready_now, coalesce(c.ready_soon, 0) AS ready_soon,
       CASE WHEN coalesce(i.incumbents, 0) > 0 THEN coalesce(c.ready_now, 0) / i.incumbents END AS bench_strength,
       CASE WHEN coalesce(c.ready_now, 0) >= 1 THEN 'covered'
            WHEN coalesce(c.ready_soon, 0) > 0 THEN 'ready_in_future' ELSE 'no_successors' END AS status
FROM roles r LEFT JOIN inc i USING (role_id) LEFT JOIN cand c USING (role_id);

-- §4 capability risk per team × competency at T
CREATE TEMP TABLE capability_risk AS
WITH supply AS (
  SELECT g.team, g.competency_id, count(p.employee_id) AS supply
  FROM targets g
  LEFT JOIN role_at a ON a.snap = DATE '{t}' AND a.team = g.team
  LEFT JOIN prof p ON p.snap = DATE '{t}' AND p.employee_id = a.employee_id AND p.competency_id = g.competency_id
       AND p.level >= g.target_level
  GROUP BY ALL
), scored AS (
  SELECT g.*, s.supply, s.supply / g.target_headcount AS coverage, greatest(0, g.target_headcount - s.supply) AS gap,
         (CASE coalesce(g.priority, 2) WHEN 1 THEN 1.0 WHEN 2 THEN 0.6 ELSE 0.3 END)
           * greatest(0, g.target_headcount - s.supply) / g.target_headcount AS risk,
         s.supply = 1 AS single_point_of_failure
  FROM targets g JOIN supply s USING (team, competency_id)
)
SELECT *, CASE WHEN risk >= 0.5 - 1e-9 THEN 'high' WHEN risk >= 0.2 - 1e-9 OR single_point_of_failure THEN 'medium'
               ELSE 'low' END AS band
FROM scored;

-- §5 progression equity: eligible at S, promoted in (S, T], per attribute and pairwise intersection,
-- with pipeline equity (next-role readiness at S); tests and suppression follow in Python on these counts
CREATE TEMP TABLE equity_counts AS
WITH eligible AS (
  SELECT e.employee_id,
         coalesce(e.gender, 'Not disclosed') AS gender, coalesce(e.ethnicity, 'Not disclosed') AS ethnicity,
         coalesce(e.age_band, 'Not disclosed') AS age_band, coalesce(e.disability, 'Not disclosed') AS disability,
         EXISTS (SELECT 1 FROM movements m WHERE m.employee_id = e.employee_id AND m.movement_type = 'promotion'
                 AND m.effective_date > DATE '{s}' AND m.effective_date <= DATE '{t}') AS promoted,
         n.readiness AS next_readiness, n.band = 'ready_now' AS ready_now
  FROM employees e
  LEFT JOIN readiness n ON n.snap = DATE '{s}' AND n.relation = 'next' AND n.employee_id = e.employee_id
  WHERE e.hire_date <= DATE '{s}' AND (e.exit_date IS NULL OR e.exit_date > DATE '{s}')
), long AS (
  SELECT * FROM (
    SELECT employee_id, promoted, next_readiness, ready_now, gender, ethnicity, age_band, disability,
           gender || ' × ' || ethnicity AS "gender × ethnicity", gender || ' × ' || age_band AS "gender × age_band",
           gender || ' × ' || disability AS "gender × disability", ethnicity || ' × ' || age_band AS "ethnicity × age_band",
           ethnicity || ' × ' || disability AS "ethnicity × disability", age_band || ' × ' || disability AS "age_band × disability"
    FROM eligible
  ) UNPIVOT ("group" FOR attribute IN (gender, ethnicity, age_band, disability, "gender × ethnicity",
             "gender × age_band", "gender × disability", "ethnicity × age_band", "ethnicity × disability",
             "age_band × disability"))
)
SELECT attribute, "group", count(*) AS eligible, count(*) FILTER (WHERE promoted) AS promoted,
       avg(next_readiness) AS mean_next_readiness, avg(ready_now::INT) AS share_ready_now,
       count(*) FILTER (WHERE ready_now AND NOT promoted) / count(*) AS ready_not_promoted
FROM long GROUP BY ALL;
