using System.Data.Common;
using DLBricks.Benchmarking;
using DLBricks.Storage.Sql;
using Npgsql;

namespace DLBricks.Storage.Postgres;

/// <summary>
/// The <c>claims</c> table as a work queue: <c>UPDATE … WHERE … FOR UPDATE SKIP LOCKED</c> hands each worker a different
/// brick without waiting on the others; each claim gets a fresh token and a lease (server clock). The lease is renewed only when
/// the measuring code reports progress (<see cref="Renew"/>), never by a timer, so a worker that is killed or hangs stops
/// renewing, its lease runs out and the next claim takes the brick up; its late result, if it ever comes, carries a token that
/// no longer matches and is refused, so each brick keeps one result. A brick that used up its attempts that way is stored as failed.
/// </summary>
internal sealed class PostgresBrickWorkQueue : IBrickWorkQueue
{
    private readonly PostgresResultStore _store;
    private readonly string _systemKey;
    private readonly string _configurationKey;
    private readonly TimeSpan _lease;
    private readonly int _maxAttempts;
    private string[] _hashes = [];
    private (string Hash, string Token)? _held;

    public PostgresBrickWorkQueue(PostgresResultStore store, string systemKey, string configurationKey, string workerId, TimeSpan lease, int maxAttempts)
    {
        _store = store;
        _systemKey = systemKey;
        _configurationKey = configurationKey;
        WorkerId = workerId;
        _lease = lease;
        _maxAttempts = maxAttempts;
    }

    public string WorkerId { get; }

    public void Enqueue(IReadOnlyCollection<string> brickHashes)
    {
        _hashes = brickHashes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        using var transaction = _store.BeginTransaction();
        using (var insert = _store.QueueCommand(ResultStoreSql.PostgreSqlEnqueue, transaction))
        {
            AddScope(insert);
            insert.Parameters.Add(new NpgsqlParameter<string[]>("hashes", _hashes));
            insert.ExecuteNonQuery();
        }
        using (var done = _store.QueueCommand(ResultStoreSql.PostgreSqlCompleteMeasured, transaction))
        {
            AddScope(done);
            done.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public BrickClaim ClaimNext()
    {
        _held = null;
        using (var giveUp = _store.QueueCommand(ResultStoreSql.PostgreSqlGiveUpPoisoned))
        {
            AddScope(giveUp);
            giveUp.Parameters.Add(new NpgsqlParameter<string[]>("hashes", _hashes));
            giveUp.Parameters.Add(new NpgsqlParameter<int>("max_attempts", _maxAttempts));
            giveUp.Parameters.Add(new NpgsqlParameter<string>("measured_at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
            giveUp.Parameters.Add(new NpgsqlParameter<int>("harness_version", MeasurementHarness.Version));
            giveUp.ExecuteNonQuery();
        }

        var token = Guid.NewGuid().ToString("N");
        using (var claim = _store.QueueCommand(ResultStoreSql.PostgreSqlClaimNext))
        {
            AddScope(claim);
            claim.Parameters.Add(new NpgsqlParameter<string[]>("hashes", _hashes));
            claim.Parameters.Add(new NpgsqlParameter<string>("worker_id", WorkerId));
            claim.Parameters.Add(new NpgsqlParameter<string>("claim_token", token));
            claim.Parameters.Add(new NpgsqlParameter<double>("lease_seconds", _lease.TotalSeconds));
            claim.Parameters.Add(new NpgsqlParameter<int>("max_attempts", _maxAttempts));
            using var reader = claim.ExecuteReader();
            if (reader.Read())
            {
                var hash = reader.GetString(0);
                var attempt = reader.GetInt32(1);
                _held = (hash, token);
                return new BrickClaim(hash, attempt, null);
            }
        }

        using var pending = _store.QueueCommand(ResultStoreSql.PostgreSqlPending);
        AddScope(pending);
        pending.Parameters.Add(new NpgsqlParameter<string[]>("hashes", _hashes));
        using var counts = pending.ExecuteReader();
        counts.Read();
        if (counts.GetInt64(0) == 0)
            return BrickClaim.Drained;
        // Ask again shortly before the first lease can run out; a brick finishing meanwhile is seen at the next ask.
        var untilExpiry = counts.IsDBNull(1) ? 0 : counts.GetDouble(1);
        var wait = TimeSpan.FromSeconds(Math.Clamp(untilExpiry, 0.2, 2.0));
        return new BrickClaim(null, 0, wait);
    }

    public bool Renew(string brickHash)
    {
        if (Token(brickHash) is not { } token)
            return false;
        using var renew = _store.QueueCommand(ResultStoreSql.PostgreSqlRenewLease);
        AddClaim(renew, brickHash, token);
        renew.Parameters.Add(new NpgsqlParameter<double>("lease_seconds", _lease.TotalSeconds));
        return renew.ExecuteNonQuery() == 1;
    }

    public bool Complete(BrickResult result)
    {
        var token = Token(result.BrickHash);
        _held = null;
        if (token is null)
            return false;
        using var transaction = _store.BeginTransaction();
        using (var complete = _store.QueueCommand(ResultStoreSql.PostgreSqlCompleteClaim, transaction))
        {
            AddClaim(complete, result.BrickHash, token);
            if (complete.ExecuteNonQuery() == 0)
            {
                transaction.Rollback();
                return false;
            }
        }
        _store.SaveResultIn(result, transaction);
        transaction.Commit();
        return true;
    }

    public void Release(string brickHash)
    {
        var token = Token(brickHash);
        _held = null;
        if (token is null)
            return;
        using var release = _store.QueueCommand(ResultStoreSql.PostgreSqlReleaseClaim);
        AddClaim(release, brickHash, token);
        release.ExecuteNonQuery();
    }

    /// <summary>Forgets the claim without giving it back: a worker that crashed lets its lease run out.</summary>
    public void Dispose() => _held = null;

    private string? Token(string brickHash) => _held is { } held && held.Hash == brickHash ? held.Token : null;

    private void AddClaim(DbCommand command, string brickHash, string token)
    {
        AddScope(command);
        command.Parameters.Add(new NpgsqlParameter<string>("brick_hash", brickHash));
        command.Parameters.Add(new NpgsqlParameter<string>("claim_token", token));
    }

    private void AddScope(DbCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter<string>("system_key", _systemKey));
        command.Parameters.Add(new NpgsqlParameter<string>("configuration_key", _configurationKey));
    }
}
