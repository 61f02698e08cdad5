using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.EdgeSync;

/// <summary>What happened to one <c>edge/events</c> message.</summary>
internal enum IngestOutcome
{
    /// <summary>At least one new event was applied (a batch may also hold already applied ones).</summary>
    Applied,

    /// <summary>Every event was applied before; nothing changed, the ack is re-sent.</summary>
    Duplicate,

    /// <summary>The batch starts after the high-water + 1; nothing changed, the ack of the high-water is re-sent so the edge resends.</summary>
    Gap,

    /// <summary>The message is invalid; nothing changed, no ack (I9).</summary>
    Rejected,
}

/// <summary>Why a message was rejected; <see cref="IngestResultExtensions.Tag"/> is the metric tag.</summary>
internal enum RejectReason
{
    None,
    Topic,
    Malformed,
    LotMismatch,
    UnknownLot,
    Sequence,
    Hash,
    Chain,
    Payload,
    Conflict,
}

/// <summary>
/// The outcome of <see cref="EdgeReconciler.IngestAsync"/>. <see cref="Ack"/> is what to publish
/// (retained, QoS 1) on <see cref="Topics.CloudAcks"/> of <see cref="LotId"/>; null for a rejection.
/// </summary>
internal sealed record IngestResult(
    IngestOutcome Outcome,
    string? LotId,
    CloudAck? Ack,
    int AppliedEvents,
    int DuplicateEvents,
    RejectReason Reason = RejectReason.None,
    string? Detail = null)
{
    public static IngestResult Reject(string? lotId, RejectReason reason, string detail) =>
        new(IngestOutcome.Rejected, lotId, null, 0, 0, reason, detail);
}

internal static class IngestResultExtensions
{
    /// <summary>The <c>reason</c> tag value of the rejected-batches counter.</summary>
    public static string Tag(this RejectReason reason) => reason switch
    {
        RejectReason.Topic => "topic",
        RejectReason.Malformed => "malformed",
        RejectReason.LotMismatch => "lot_mismatch",
        RejectReason.UnknownLot => "unknown_lot",
        RejectReason.Sequence => "sequence",
        RejectReason.Hash => "hash",
        RejectReason.Chain => "chain",
        RejectReason.Payload => "payload",
        RejectReason.Conflict => "conflict",
        _ => "none",
    };
}
