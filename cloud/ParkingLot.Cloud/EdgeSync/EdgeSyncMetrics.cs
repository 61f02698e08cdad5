using System.Diagnostics.Metrics;

namespace ParkingLot.Cloud.EdgeSync;

/// <summary>
/// Ingest counters of the <c>ParkingLot.Cloud</c> meter. The Prometheus exporter turns the dots into
/// underscores and appends <c>_total</c>: <c>parkinglot_ingest_events_applied_total</c> and so on.
/// </summary>
internal sealed class EdgeSyncMetrics
{
    public const string MeterName = "ParkingLot.Cloud";

    private readonly Counter<long> _applied;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _gaps;
    private readonly Counter<long> _statesRejected;

    public EdgeSyncMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _applied = meter.CreateCounter<long>("parkinglot.ingest.events.applied", description: "Edge events applied (each exactly once).");
        _duplicates = meter.CreateCounter<long>("parkinglot.ingest.events.duplicate", description: "Edge events received again and ignored.");
        _rejected = meter.CreateCounter<long>("parkinglot.ingest.batches.rejected", description: "Edge event batches rejected, by reason.");
        _gaps = meter.CreateCounter<long>("parkinglot.ingest.batches.gap", description: "Edge event batches not applied because they start after a gap.");
        _statesRejected = meter.CreateCounter<long>("parkinglot.ingest.states.rejected", description: "Edge state messages rejected.");
    }

    public void Record(IngestResult result)
    {
        if (result.AppliedEvents > 0)
        {
            _applied.Add(result.AppliedEvents);
        }

        if (result.DuplicateEvents > 0)
        {
            _duplicates.Add(result.DuplicateEvents);
        }

        switch (result.Outcome)
        {
            case IngestOutcome.Rejected:
                _rejected.Add(1, new KeyValuePair<string, object?>("reason", result.Reason.Tag()));
                break;
            case IngestOutcome.Gap:
                _gaps.Add(1);
                break;
        }
    }

    public void StateRejected() => _statesRejected.Add(1);
}
