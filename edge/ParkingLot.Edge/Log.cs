using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge;

/// <summary>
/// Every log message of the agent, with event ids by feature: 1-99 host, 100-199 lots, 200-299
/// ledger, 300-399 sync, 400-449 gates, 450-499 occupancy, 500-599 traffic. Never log ticket codes
/// (they are credentials), keys or passwords.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Edge agent {Version} starting for lot {LotId}: ledger {LedgerPath} (epoch {Epoch}, last seq {LastSeq}, acked {AckedSeq}), {Mode}")]
    public static partial void AgentStarting(ILogger logger, string version, string lotId, string ledgerPath, long epoch, long lastSeq, long ackedSeq, string mode);

    [LoggerMessage(2, LogLevel.Information, "Edge agent stopped: last seq {LastSeq}, acked {AckedSeq}")]
    public static partial void AgentStopped(ILogger logger, long lastSeq, long ackedSeq);

    [LoggerMessage(4, LogLevel.Information, "Clock quality {TimeQuality}")]
    public static partial void ClockQuality(ILogger logger, TimeQuality timeQuality);

    [LoggerMessage(100, LogLevel.Information, "Lot {LotId} loaded from {Path}: {Spots} spots, {Gates} gates, tariff {TariffVersion}")]
    public static partial void LotLoaded(ILogger logger, string lotId, string path, int spots, int gates, string tariffVersion);

    [LoggerMessage(300, LogLevel.Warning, "Cannot reach broker {Broker} (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    public static partial void BrokerConnectFailed(ILogger logger, string broker, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(301, LogLevel.Warning, "Connection to broker {Broker} lost: {Reason}")]
    public static partial void BrokerSessionLost(ILogger logger, string broker, string reason);

    [LoggerMessage(302, LogLevel.Information, "Connected to broker {Broker} (session present {SessionPresent}); resending from seq {AckedSeq} + 1, last seq {LastSeq}")]
    public static partial void BrokerConnected(ILogger logger, string broker, bool sessionPresent, long ackedSeq, long lastSeq);

    [LoggerMessage(303, LogLevel.Warning, "Disconnected from broker {Broker}")]
    public static partial void BrokerDisconnected(ILogger logger, string broker);

    [LoggerMessage(304, LogLevel.Warning, "No ack progress for {Timeout} (acked {AckedSeq}, sent {SentSeq}); resending from the acked seq")]
    public static partial void AckTimeout(ILogger logger, long ackedSeq, long sentSeq, TimeSpan timeout);

    [LoggerMessage(305, LogLevel.Error, "The outbox expected seq {Expected} but the ledger holds {Found} next; run ledger verification")]
    public static partial void OutboxGap(ILogger logger, long expected, long found);

    [LoggerMessage(306, LogLevel.Debug, "Sent events {SeqFrom}-{SeqTo} (acked {AckedSeq})")]
    public static partial void BatchSent(ILogger logger, long seqFrom, long seqTo, long ackedSeq);

    [LoggerMessage(307, LogLevel.Warning, "Ignored an ack for epoch {AckEpoch}; this ledger's epoch is {Epoch}")]
    public static partial void AckForOtherEpoch(ILogger logger, long ackEpoch, long epoch);

    [LoggerMessage(308, LogLevel.Warning, "The cloud acknowledged seq {AckSeq} but the ledger ends at {LastSeq}")]
    public static partial void AckBeyondLedger(ILogger logger, long ackSeq, long lastSeq);

    [LoggerMessage(309, LogLevel.Debug, "Cloud acknowledged up to seq {AckedSeq}")]
    public static partial void AckApplied(ILogger logger, long ackedSeq);

    [LoggerMessage(310, LogLevel.Warning, "Rejected a malformed message on {Topic}: {Reason}")]
    public static partial void MalformedAck(ILogger logger, string topic, string reason);

    [LoggerMessage(311, LogLevel.Information, "Published offline state and disconnected (acked {AckedSeq} of {LastSeq})")]
    public static partial void WentOffline(ILogger logger, long ackedSeq, long lastSeq);

    [LoggerMessage(312, LogLevel.Warning, "Could not publish the offline state on stop: {Reason}; the broker sends the will instead")]
    public static partial void OfflineStateNotSent(ILogger logger, string reason);

    [LoggerMessage(313, LogLevel.Information, "Running offline: no MQTT; events accumulate in the outbox")]
    public static partial void SyncOffline(ILogger logger);

    [LoggerMessage(400, LogLevel.Debug, "Ticket {TicketId} issued at {GateId} for a {VehicleType}")]
    public static partial void TicketIssued(ILogger logger, string ticketId, string gateId, VehicleType vehicleType);

    [LoggerMessage(401, LogLevel.Debug, "Entry refused at {GateId} for a {VehicleType}: {Reason}")]
    public static partial void EntryRefused(ILogger logger, string gateId, VehicleType vehicleType, string reason);

    [LoggerMessage(402, LogLevel.Debug, "Ticket {TicketId} left at {GateId}, fee {Fee}")]
    public static partial void VehicleLeft(ILogger logger, string ticketId, string gateId, string fee);

    [LoggerMessage(403, LogLevel.Warning, "Exit refused at {GateId} for ticket {TicketId}: {Reason}")]
    public static partial void ExitRefused(ILogger logger, string gateId, string ticketId, string reason);

    [LoggerMessage(404, LogLevel.Information, "Created the edge ticket-signing key {KeyId} in {Path}")]
    public static partial void SigningKeyCreated(ILogger logger, string keyId, string path);

    [LoggerMessage(405, LogLevel.Debug, "Lane {GateId} refused a vehicle ({Reason}): {Detail}")]
    public static partial void LaneRefused(ILogger logger, string gateId, string reason, string detail);

    [LoggerMessage(406, LogLevel.Warning, "Lane {GateId} recovered at power-on from {PreviousState}: {Resolution} ({Detail})")]
    public static partial void LaneRecovered(ILogger logger, string gateId, string previousState, string resolution, string detail);

    [LoggerMessage(407, LogLevel.Error, "Lane {GateId} failed to handle {Input}")]
    public static partial void LaneStepFailed(ILogger logger, string gateId, string input, Exception exception);

    [LoggerMessage(408, LogLevel.Warning, "Lane {GateId}: a second vehicle went through on one opening (cycle {CycleId})")]
    public static partial void Tailgate(ILogger logger, string gateId, string cycleId);

    [LoggerMessage(409, LogLevel.Error, "Lane {GateId} is out of service: barrier fault, {Fault}")]
    public static partial void BarrierFaulted(ILogger logger, string gateId, string fault);

    [LoggerMessage(410, LogLevel.Warning, "Lane {GateId} cannot print tickets: {Fault}; walk-ins are refused until it prints again")]
    public static partial void PrinterFault(ILogger logger, string gateId, string fault);

    [LoggerMessage(411, LogLevel.Information, "Lane {GateId} is back in service: {Reason}")]
    public static partial void LaneReset(ILogger logger, string gateId, string reason);

    [LoggerMessage(412, LogLevel.Warning, "Lane hardware: {Problem}")]
    public static partial void LaneHardwareProblem(ILogger logger, string problem);

    [LoggerMessage(210, LogLevel.Information, "Compacted copy of the ledger written to {Path} (up to seq {Seq}, verified); {Removed} older cop(ies) removed")]
    public static partial void LedgerCompacted(ILogger logger, string path, long seq, int removed);

    [LoggerMessage(211, LogLevel.Error, "Could not write the compacted copy of the ledger to {Path}")]
    public static partial void LedgerCompactionFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(450, LogLevel.Warning, "Ignored a reading from unknown sensor {SensorId}")]
    public static partial void UnknownSensor(ILogger logger, string sensorId);

    [LoggerMessage(500, LogLevel.Information, "Playing traffic scenario {Scenario} at {Speed}x (seed {Seed})")]
    public static partial void TrafficStarted(ILogger logger, string scenario, double speed, int seed);

    [LoggerMessage(501, LogLevel.Information, "Recovered from the ledger: {Parked} parked vehicles, {Driving} vehicles inside without a spot, {Unmatched} occupied spots without an open ticket")]
    public static partial void TrafficRecovered(ILogger logger, int parked, int driving, int unmatched);

    [LoggerMessage(502, LogLevel.Warning, "A simulated {VehicleType} found no free spot and circles to the exit")]
    public static partial void NoFreeSpot(ILogger logger, VehicleType vehicleType);

    [LoggerMessage(503, LogLevel.Error, "A simulated vehicle failed")]
    public static partial void VehicleFailed(ILogger logger, Exception exception);

    [LoggerMessage(504, LogLevel.Information, "Lot now: {Occupied}/{Spots} spots occupied, {Inside} vehicles inside, last seq {LastSeq}")]
    public static partial void TrafficStatus(ILogger logger, int occupied, int spots, int inside, long lastSeq);

    [LoggerMessage(505, LogLevel.Warning, "A simulated vehicle with ticket {TicketId} was turned away at the exit three times and stays inside")]
    public static partial void VehicleStuckInside(ILogger logger, string ticketId);
}
