using System.Data.Common;
using DLBricks.Storage.Sql;
using Npgsql;

namespace DLBricks.Storage.Postgres;

/// <summary>
/// The <c>claims</c> table as a work queue: <c>UPDATE … WHERE … FOR UPDATE SKIP LOCKED</c> hands each worker a different
/// brick without waiting on the others, a lease (server clock) says how long the claim holds, and a heartbeat on its own
/// connection renews the lease while this process is alive. A killed worker stops renewing, its lease runs out and the
/// next claim takes the brick up; its late result, if it ever comes, is refused so each brick keeps one result.
/// </summary>
internal sealed class PostgresBrickWorkQueue : IBrickWorkQueue
{
    private readonly PostgresResultStore _store;
    private readonly string _systemKey;
    private readonly string _configurationKey;
    private readonly TimeSpan _lease;
    private readonly Timer _heartbeat;
    private readonly Lock _gate = new();
    private string[] _hashes = [];
    private string? _held;

    public PostgresBrickWorkQueue(PostgresResultStore store, string systemKey, string configurationKey, string workerId, TimeSpan lease)
    {
        _store = store;
        _systemKey = systemKey;
        _configurationKey = configurationKey;
        WorkerId = workerId;
        _lease = lease;
        _heartbeat = new Timer(_ => Renew(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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
        using (var claim = _store.QueueCommand(ResultStoreSql.PostgreSqlClaimNext))
        {
            AddScope(claim);
            claim.Parameters.Add(new NpgsqlParameter<string[]>("hashes", _hashes));
            claim.Parameters.Add(new NpgsqlParameter<string>("worker_id", WorkerId));
            claim.Parameters.Add(new NpgsqlParameter<double>("lease_seconds", _lease.TotalSeconds));
            using var reader = claim.ExecuteReader();
            if (reader.Read())
            {
                var hash = reader.GetString(0);
                var attempt = reader.GetInt32(1);
                Hold(hash);
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

    public bool Complete(BrickResult result)
    {
        Hold(null);
        using var transaction = _store.BeginTransaction();
        using (var complete = _store.QueueCommand(ResultStoreSql.PostgreSqlCompleteClaim, transaction))
        {
            AddScope(complete);
            complete.Parameters.Add(new NpgsqlParameter<string>("brick_hash", result.BrickHash));
            complete.Parameters.Add(new NpgsqlParameter<string>("worker_id", WorkerId));
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
        Hold(null);
        using var release = _store.QueueCommand(ResultStoreSql.PostgreSqlReleaseClaim);
        AddScope(release);
        release.Parameters.Add(new NpgsqlParameter<string>("brick_hash", brickHash));
        release.Parameters.Add(new NpgsqlParameter<string>("worker_id", WorkerId));
        release.ExecuteNonQuery();
    }

    public void Dispose()
    {
        Hold(null);
        _heartbeat.Dispose();
    }

    private void Hold(string? hash)
    {
        lock (_gate)
        {
            _held = hash;
            // Renew three times per lease, so one missed beat (a slow server) does not lose the brick.
            var period = hash is null ? Timeout.InfiniteTimeSpan : _lease / 3;
            _heartbeat.Change(period, period);
        }
    }

    private void Renew()
    {
        string? hash;
        lock (_gate)
            hash = _held;
        if (hash is null)
            return;
        try
        {
            // The store's own connection is busy measuring-side; the heartbeat uses a pooled one of its own.
            using var connection = _store.OpenSideConnection();
            using var renew = new NpgsqlCommand(ResultStoreSql.PostgreSqlRenewLease, connection);
            renew.Parameters.Add(new NpgsqlParameter<string>("system_key", _systemKey));
            renew.Parameters.Add(new NpgsqlParameter<string>("configuration_key", _configurationKey));
            renew.Parameters.Add(new NpgsqlParameter<string>("brick_hash", hash));
            renew.Parameters.Add(new NpgsqlParameter<string>("worker_id", WorkerId));
            renew.Parameters.Add(new NpgsqlParameter<double>("lease_seconds", _lease.TotalSeconds));
            renew.ExecuteNonQuery();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            // A missed beat only shortens the lease; if the server stays away, another worker takes the brick up later.
        }
    }

    private void AddScope(DbCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter<string>("system_key", _systemKey));
        command.Parameters.Add(new NpgsqlParameter<string>("configuration_key", _configurationKey));
    }
}
