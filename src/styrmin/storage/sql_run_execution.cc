// SqlStore's RunExecutionStore: claims under a lease, and what agents report on claimed runs.
//
// Every report first reads the run's row locked for the transaction (HeldRun) and checks that
// the lease is still the run's, so a report and a competing claim of the same run are ordered:
// the claim either committed first (the report is refused) or waits for the report.
#include <cmath>
#include <string>
#include <utility>

#include "styrmin/storage/sql_store.h"
#include "styrmin/storage/sql_store_internal.h"
#include "styrmin/storage/store_values.h"

namespace styrmin::storage {
namespace {

using sql::ByteOrder;
using sql::kRunColumns;
using sql::LockForUpdate;
using sql::OrderByBytes;
using sql::ReadAll;
using sql::ReadFirst;
using sql::ReadRun;
using sql::RunName;

constexpr std::string_view kStepColumns =
    "run_id, position, name, state, error, started_at, finished_at";

Result<RunStep> ReadStep(const SqlRow& row) {
  RunStep step;
  step.run_id = RunId(row.Text(0));
  const std::string where =
      "step " + std::string(row.Text(1)) + " of run " + Quoted(step.run_id.value());
  const std::optional<std::int64_t> position = row.Int(1);
  if (!position) return Internal(where + ": stored a position that is not an integer");
  step.position = static_cast<int>(*position);
  step.name = row.Text(2);
  STYRMIN_ASSIGN_OR_RETURN(step.state, ParseStepState(row.Text(3), where));
  step.error = row.Text(4);
  STYRMIN_ASSIGN_OR_RETURN(step.started_at, ParseStoredTimestamp(row.Text(5), where));
  if (const auto& finished = row.OptionalText(6)) {
    STYRMIN_ASSIGN_OR_RETURN(step.finished_at, ParseStoredTimestamp(*finished, where));
  }
  return step;
}

constexpr std::string_view kLogColumns = "sequence, at, step, level, text";

Result<RunLogLine> ReadLogLine(const SqlRow& row) {
  RunLogLine line;
  const std::string where = "log line " + std::string(row.Text(0));
  const std::optional<std::int64_t> sequence = row.Int(0);
  if (!sequence) return Internal(where + ": stored a sequence that is not an integer");
  line.sequence = *sequence;
  STYRMIN_ASSIGN_OR_RETURN(line.at, ParseStoredTimestamp(row.Text(1), where));
  if (row.OptionalText(2)) {
    const std::optional<std::int64_t> step = row.Int(2);
    if (!step) return Internal(where + ": stored a step that is not an integer");
    line.step = static_cast<int>(*step);
  }
  line.level = row.Text(3);
  line.text = row.Text(4);
  return line;
}

// Appended to the SELECT of a claim on PostgreSQL: rows another claim holds are passed over
// instead of waited for, so concurrent claims take different runs. SQLite runs one write
// transaction at a time, so its claims cannot overlap.
std::string_view SkipLocked(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kSqlite:
      return "";
    case SqlDialect::kPostgresql:
      return " FOR NO KEY UPDATE SKIP LOCKED";
  }
  STYRMIN_CHECK(false, "a SqlDialect outside its enumerators");
}

Status ValidateLease(const LeaseRef& lease) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(lease.run.value(), "run id"));
  return RequireNonEmpty(lease.lease_id, "lease id");
}

Status ValidateDuration(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) return InvalidArgument("a lease must last longer than 0 ms");
  return OkStatus();
}

// The run `lease` names, its row locked until the transaction ends, when it is running under
// that lease; kNotFound or kFailedPrecondition saying why not.
Result<Run> HeldRun(SqlSession& session, const LeaseRef& lease) {
  STYRMIN_ASSIGN_OR_RETURN(
      const SqlRows rows,
      session.Query("SELECT " + std::string(kRunColumns) + ", lease_id FROM runs WHERE id = ?1" +
                        std::string(LockForUpdate(session.dialect())),
                    {lease.run.value()}));
  if (rows.empty()) return NotFound("run " + Quoted(lease.run.value()) + " not found");
  STYRMIN_ASSIGN_OR_RETURN(Run run, ReadRun(rows.front()));
  if (run.state != RunState::kRunning) {
    return FailedPrecondition(RunName(run) + " is " + std::string(RunStateName(run.state)) +
                              "; no lease on it is held any more");
  }
  if (rows.front().OptionalText(15) != lease.lease_id) {
    return FailedPrecondition("lease " + Quoted(lease.lease_id) + " on " + RunName(run) +
                              " is no longer held: the run was claimed again (attempt " +
                              std::to_string(run.attempts) + ")");
  }
  return run;
}

Result<Run> UpdateRun(SqlSession& session, const std::string& set, const RunId& id,
                      std::initializer_list<SqlValue> params, std::string_view what) {
  // ?1 is the run's id; `set` numbers its own parameters from ?2.
  std::vector<SqlValue> all{id.value()};
  all.insert(all.end(), params.begin(), params.end());
  return ReadFirst(session.Query("UPDATE runs SET " + set + " WHERE id = ?1 RETURNING " +
                                     std::string(kRunColumns),
                                 std::span<const SqlValue>(all), what),
                   ReadRun, "run " + Quoted(id.value()) + " not found");
}

Status RequireRun(SqlSession& session, const RunId& id) {
  return sql::FailIfMissing(session, "SELECT 1 FROM runs WHERE id = ?1", {id.value()},
                            NotFound("run " + Quoted(id.value()) + " not found"));
}

// The step of the run that is still running, if any.
Result<std::optional<RunStep>> RunningStep(SqlSession& session, const RunId& run) {
  STYRMIN_ASSIGN_OR_RETURN(
      const std::vector<RunStep> running,
      ReadAll(session.Query("SELECT " + std::string(kStepColumns) +
                                " FROM run_steps WHERE run_id = ?1 AND state = 'running'",
                            {run.value()}),
              ReadStep));
  if (running.empty()) return std::nullopt;
  return running.front();
}

std::string StepName(const RunStep& step) {
  return "step " + std::to_string(step.position) + " (" + Quoted(step.name) + ")";
}

// How many log lines one INSERT writes: 6 parameters each, well under both databases' limits.
constexpr std::size_t kLogLinesPerInsert = 100;

Status ValidateLogLines(const std::vector<RunLogLine>& lines) {
  if (lines.empty()) return InvalidArgument("no log lines to append");
  if (lines.size() > kMaxLogLinesPerAppend) {
    return InvalidArgument(std::to_string(lines.size()) + " log lines in one append; at most " +
                           std::to_string(kMaxLogLinesPerAppend) + " are accepted");
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const RunLogLine& line = lines[i];
    const std::string where = "log line " + std::to_string(i);
    if (!IsLogLevel(line.level)) {
      return InvalidArgument(where + ": unknown level " + Quoted(line.level) +
                             " (expected debug, info, warning or error)");
    }
    if (line.text.size() > kMaxLogLineBytes) {
      return InvalidArgument(where + " has " + std::to_string(line.text.size()) +
                             " bytes; at most " + std::to_string(kMaxLogLineBytes) +
                             " are accepted");
    }
    if (line.step && *line.step < 0) return InvalidArgument(where + ": a negative step");
  }
  return OkStatus();
}

}  // namespace

Result<std::optional<RunLease>> SqlStore::ClaimRun(const ClusterId& cluster,
                                                   const std::string& lease_id, Timestamp now,
                                                   std::chrono::milliseconds duration) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(cluster.value(), "cluster id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(lease_id, "lease id"));
  STYRMIN_RETURN_IF_ERROR(ValidateDuration(duration));
  const std::string now_text = FormatRfc3339(now);
  const std::string expires_text = FormatRfc3339(now + duration);
  return database().InTransaction(
      Access::kWrite, [&](SqlSession& session) -> Result<std::optional<RunLease>> {
        const SqlDialect dialect = session.dialect();
        const std::string oldest = OrderByBytes(dialect, {"created_at", "id"}) + " LIMIT 1" +
                                   std::string(SkipLocked(dialect));
        STYRMIN_ASSIGN_OR_RETURN(
            SqlRows found,
            session.Query(
                "SELECT id FROM runs WHERE cluster_id = ?1 AND state = 'pending'" + oldest,
                {cluster.value()}));
        bool resumed = false;
        if (found.empty()) {
          STYRMIN_ASSIGN_OR_RETURN(
              found, session.Query("SELECT id FROM runs WHERE cluster_id = ?1 AND state = "
                                   "'running' AND lease_expires_at" +
                                       std::string(ByteOrder(dialect)) + " < ?2" + oldest,
                                   {cluster.value(), now_text}));
          resumed = true;
        }
        if (found.empty()) return std::nullopt;
        const RunId id(found.front().Text(0));
        if (resumed) {
          // The step the lost agent was running did not finish; the run resumes at it.
          STYRMIN_RETURN_IF_ERROR(session.Exec(
              "UPDATE run_steps SET state = 'failed', error = ?2, finished_at = ?3 "
              "WHERE run_id = ?1 AND state = 'running'",
              {id.value(), "the agent's lease expired before the step finished", now_text},
              "fail the steps of an expired lease"));
        }
        STYRMIN_ASSIGN_OR_RETURN(
            Run run, UpdateRun(session,
                               "state = 'running', started_at = COALESCE(started_at, ?2), "
                               "attempts = attempts + 1, lease_id = ?3, lease_expires_at = ?4",
                               id, {now_text, lease_id, expires_text}, "claim a run"));
        return RunLease{std::move(run), lease_id};
      });
}

Result<Run> SqlStore::RetryRun(const RunId& id, const RunId& new_id, Timestamp at) {
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(id.value(), "run id"));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(new_id.value(), "new run id"));
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<Run> {
    STYRMIN_ASSIGN_OR_RETURN(
        const Run failed,
        ReadFirst(session.Query(sql::SelectRuns() + " WHERE id = ?1", {id.value()}), ReadRun,
                  "run " + Quoted(id.value()) + " not found"));
    if (failed.state != RunState::kFailed && failed.state != RunState::kCancelled) {
      return FailedPrecondition(RunName(failed) + " is " + std::string(RunStateName(failed.state)) +
                                "; only a failed or cancelled run can be retried");
    }
    // The deployment's row locked, as for a change: one unfinished run per deployment.
    STYRMIN_RETURN_IF_ERROR(session.Query(
        "SELECT id FROM deployments WHERE id = ?1" + std::string(LockForUpdate(session.dialect())),
        {failed.deployment_id.value()}));
    STYRMIN_ASSIGN_OR_RETURN(const std::optional<Run> unfinished,
                             sql::QueryUnfinishedRun(session, failed.deployment_id));
    if (unfinished) {
      return FailedPrecondition(RunName(*unfinished) + " is " +
                                std::string(RunStateName(unfinished->state)) +
                                " for the same deployment; wait for it or cancel it");
    }
    STYRMIN_ASSIGN_OR_RETURN(const SqlRows newest,
                             session.Query("SELECT id, kind FROM runs WHERE deployment_id = ?1" +
                                               OrderByBytes(session.dialect(), {"created_at", "id"},
                                                            sql::Direction::kDescending) +
                                               " LIMIT 1",
                                           {failed.deployment_id.value()}));
    if (!newest.empty() && newest.front().Text(0) != failed.id.value()) {
      return FailedPrecondition(RunName(failed) + " is not the latest run of its deployment (run " +
                                std::string(newest.front().Text(0)) + " (" +
                                std::string(newest.front().Text(1)) +
                                ") is); only the latest can be retried");
    }
    return ReadFirst(
        session.Query(
            "INSERT INTO runs (id, deployment_id, environment_id, cluster_id, kind, state, "
            "instance_id, reason, error, progress, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
            "'pending', ?6, ?7, '', ?8, ?9) RETURNING " +
                std::string(kRunColumns),
            {new_id.value(), failed.deployment_id.value(), failed.environment_id.value(),
             failed.cluster_id.value(), failed.kind, failed.instance_id.value(),
             "retry of run " + failed.id.value() + ": " + failed.reason, FormatProgress(0),
             FormatRfc3339(at)},
            "record the retry of " + RunName(failed)),
        ReadRun, "the retry was not returned");
  });
}

Result<std::int64_t> SqlStore::CountClaimableRuns(const ClusterId& cluster, Timestamp now) {
  const std::string now_text = FormatRfc3339(now);
  return database().InTransaction(Access::kRead, [&](SqlSession& session) {
    return session.QueryInt(
        "SELECT COUNT(*) FROM runs WHERE cluster_id = ?1 AND (state = 'pending' OR "
        "(state = 'running' AND lease_expires_at" +
            std::string(ByteOrder(session.dialect())) + " < ?2))",
        {cluster.value(), now_text});
  });
}

Result<Run> SqlStore::RenewLease(const LeaseRef& lease, Timestamp now,
                                 std::chrono::milliseconds duration) {
  STYRMIN_RETURN_IF_ERROR(ValidateLease(lease));
  STYRMIN_RETURN_IF_ERROR(ValidateDuration(duration));
  const std::string expires_text = FormatRfc3339(now + duration);
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<Run> {
    STYRMIN_RETURN_IF_ERROR(HeldRun(session, lease));
    return UpdateRun(session, "lease_expires_at = ?2", lease.run, {expires_text}, "renew a lease");
  });
}

Result<RunStep> SqlStore::StartStep(const LeaseRef& lease, const std::string& name, Timestamp now) {
  STYRMIN_RETURN_IF_ERROR(ValidateLease(lease));
  STYRMIN_RETURN_IF_ERROR(RequireNonEmpty(name, "step name"));
  if (name.size() > kMaxStepNameBytes) {
    return InvalidArgument("a step name has at most " + std::to_string(kMaxStepNameBytes) +
                           " bytes; this one has " + std::to_string(name.size()));
  }
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<RunStep> {
    STYRMIN_ASSIGN_OR_RETURN(const Run run, HeldRun(session, lease));
    STYRMIN_ASSIGN_OR_RETURN(const std::optional<RunStep> running, RunningStep(session, run.id));
    if (running) {
      return FailedPrecondition(StepName(*running) + " of " + RunName(run) +
                                " is still running; finish it before starting another");
    }
    return ReadFirst(
        session.Query("INSERT INTO run_steps (" + std::string(kStepColumns) +
                          ") VALUES (?1, (SELECT COALESCE(MAX(position) + 1, 0) FROM run_steps "
                          "WHERE run_id = ?1), ?2, 'running', '', ?3, NULL) RETURNING " +
                          std::string(kStepColumns),
                      {run.id.value(), name, FormatRfc3339(now)}, "start a step"),
        ReadStep, "the new step was not returned");
  });
}

Result<RunStep> SqlStore::FinishStep(const LeaseRef& lease, int position, StepState state,
                                     const std::string& error, Timestamp now) {
  STYRMIN_RETURN_IF_ERROR(ValidateLease(lease));
  if (state == StepState::kRunning) {
    return InvalidArgument("a step finishes as succeeded, failed or skipped, not running");
  }
  if (state == StepState::kFailed && error.empty()) {
    return InvalidArgument("a failed step needs an error saying why");
  }
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<RunStep> {
    STYRMIN_ASSIGN_OR_RETURN(const Run run, HeldRun(session, lease));
    STYRMIN_ASSIGN_OR_RETURN(
        const std::vector<RunStep> steps,
        ReadAll(session.Query("SELECT " + std::string(kStepColumns) +
                                  " FROM run_steps WHERE run_id = ?1 AND position = ?2",
                              {run.id.value(), static_cast<std::int64_t>(position)}),
                ReadStep));
    if (steps.empty()) {
      return NotFound(RunName(run) + " has no step " + std::to_string(position));
    }
    if (steps.front().state != StepState::kRunning) {
      return FailedPrecondition(StepName(steps.front()) + " of " + RunName(run) +
                                " has finished already (" +
                                std::string(StepStateName(steps.front().state)) + ")");
    }
    return ReadFirst(
        session.Query("UPDATE run_steps SET state = ?3, error = ?4, finished_at = ?5 "
                      "WHERE run_id = ?1 AND position = ?2 RETURNING " +
                          std::string(kStepColumns),
                      {run.id.value(), static_cast<std::int64_t>(position), StepStateName(state),
                       state == StepState::kFailed ? error : std::string(), FormatRfc3339(now)},
                      "finish a step"),
        ReadStep, "the finished step was not returned");
  });
}

Result<std::int64_t> SqlStore::AppendLog(const LeaseRef& lease,
                                         const std::vector<RunLogLine>& lines) {
  STYRMIN_RETURN_IF_ERROR(ValidateLease(lease));
  STYRMIN_RETURN_IF_ERROR(ValidateLogLines(lines));
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<std::int64_t> {
    STYRMIN_ASSIGN_OR_RETURN(const Run run, HeldRun(session, lease));
    STYRMIN_ASSIGN_OR_RETURN(
        const std::int64_t steps,
        session.QueryInt("SELECT COUNT(*) FROM run_steps WHERE run_id = ?1", {run.id.value()}));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].step && *lines[i].step >= steps) {
        return InvalidArgument("log line " + std::to_string(i) + " names step " +
                               std::to_string(*lines[i].step) + ", which " + RunName(run) +
                               " has not started");
      }
    }
    STYRMIN_ASSIGN_OR_RETURN(
        std::int64_t sequence,
        session.QueryInt("SELECT COALESCE(MAX(sequence), 0) FROM run_log_lines WHERE run_id = ?1",
                         {run.id.value()}));
    // The texts the parameters point at live until the statement has run.
    std::vector<std::string> times;
    times.reserve(lines.size());
    for (const RunLogLine& line : lines) times.push_back(FormatRfc3339(line.at));
    for (std::size_t first = 0; first < lines.size(); first += kLogLinesPerInsert) {
      const std::size_t end = std::min(lines.size(), first + kLogLinesPerInsert);
      std::string statement =
          "INSERT INTO run_log_lines (run_id, sequence, at, step, level, text) "
          "VALUES ";
      std::vector<SqlValue> params;
      params.reserve((end - first) * 6);
      for (std::size_t i = first; i < end; ++i) {
        if (i > first) statement += ", ";
        statement += "(";
        for (std::size_t column = 0; column < 6; ++column) {
          if (column > 0) statement += ", ";
          statement += "?" + std::to_string(params.size() + column + 1);
        }
        statement += ")";
        ++sequence;
        params.emplace_back(run.id.value());
        params.emplace_back(sequence);
        params.emplace_back(times[i]);
        if (lines[i].step) {
          params.emplace_back(static_cast<std::int64_t>(*lines[i].step));
        } else {
          params.emplace_back(std::nullopt);
        }
        params.emplace_back(lines[i].level);
        params.emplace_back(lines[i].text);
      }
      STYRMIN_RETURN_IF_ERROR(session.Query(statement, std::span<const SqlValue>(params),
                                            "append log lines to " + RunName(run)));
    }
    return sequence;
  });
}

Result<Run> SqlStore::ReportProgress(const LeaseRef& lease, double progress) {
  STYRMIN_RETURN_IF_ERROR(ValidateLease(lease));
  if (!std::isfinite(progress) || progress < 0 || progress > 1) {
    return InvalidArgument("progress must be between 0 and 1");
  }
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<Run> {
    STYRMIN_RETURN_IF_ERROR(HeldRun(session, lease));
    return UpdateRun(session, "progress = ?2", lease.run, {FormatProgress(progress)},
                     "report progress");
  });
}

Result<Run> SqlStore::FinishRun(const LeaseRef& lease, RunState state, const std::string& error,
                                Timestamp now) {
  STYRMIN_RETURN_IF_ERROR(ValidateLease(lease));
  if (state != RunState::kSucceeded && state != RunState::kFailed &&
      state != RunState::kCancelled) {
    return InvalidArgument("a run finishes as succeeded, failed or cancelled, not " +
                           std::string(RunStateName(state)));
  }
  if (state == RunState::kFailed && error.empty()) {
    return InvalidArgument("a failed run needs an error saying why");
  }
  return database().InTransaction(Access::kWrite, [&](SqlSession& session) -> Result<Run> {
    STYRMIN_ASSIGN_OR_RETURN(const Run run, HeldRun(session, lease));
    STYRMIN_ASSIGN_OR_RETURN(const std::optional<RunStep> running, RunningStep(session, run.id));
    if (running) {
      return FailedPrecondition(StepName(*running) + " of " + RunName(run) +
                                " is still running; finish it before the run");
    }
    const bool succeeded = state == RunState::kSucceeded;
    STYRMIN_ASSIGN_OR_RETURN(
        Run finished,
        UpdateRun(
            session,
            "state = ?2, error = ?3, finished_at = ?4, progress = ?5, lease_id = NULL, "
            "lease_expires_at = NULL",
            run.id,
            {RunStateName(state), state == RunState::kFailed ? error : std::string(),
             FormatRfc3339(now), succeeded ? FormatProgress(1) : FormatProgress(run.progress)},
            "finish " + RunName(run)));
    if (succeeded) {
      STYRMIN_RETURN_IF_ERROR(
          session.Exec("UPDATE deployments SET active_instance_id = ?2 WHERE id = ?1",
                       {run.deployment_id.value(), run.instance_id.value()},
                       "mark the instance of " + RunName(run) + " active"));
    }
    return finished;
  });
}

Result<std::vector<RunStep>> SqlStore::ListSteps(const RunId& run) {
  return database().InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<RunStep>> {
        STYRMIN_RETURN_IF_ERROR(RequireRun(session, run));
        return ReadAll(session.Query("SELECT " + std::string(kStepColumns) +
                                         " FROM run_steps WHERE run_id = ?1 ORDER BY position",
                                     {run.value()}),
                       ReadStep);
      });
}

Result<std::vector<RunLogLine>> SqlStore::ListLog(const RunId& run, std::int64_t after,
                                                  std::size_t limit) {
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgument("limit " + std::to_string(limit) + " is outside 1.." +
                           std::to_string(kMaxListLimit));
  }
  return database().InTransaction(
      Access::kRead, [&](SqlSession& session) -> Result<std::vector<RunLogLine>> {
        STYRMIN_RETURN_IF_ERROR(RequireRun(session, run));
        return ReadAll(session.Query("SELECT " + std::string(kLogColumns) +
                                         " FROM run_log_lines WHERE run_id = ?1 AND sequence > ?2 "
                                         "ORDER BY sequence LIMIT ?3",
                                     {run.value(), after, static_cast<std::int64_t>(limit)}),
                       ReadLogLine);
      });
}

}  // namespace styrmin::storage
