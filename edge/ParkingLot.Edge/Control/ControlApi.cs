using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ParkingLot.Edge.Control;

/// <summary>The control API's endpoints (all under /v1, JSON; parkctl is the client).</summary>
internal static class ControlApi
{
    public static RouteGroupBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1");
        api.MapGet("/status", GetStatus);
        api.MapGet("/devices", GetDevices);
        api.MapGet("/sensors", GetSensors);
        api.MapGet("/gates", GetGates);
        api.MapPost("/gates/{gateId}/open", OpenGate);
        api.MapPost("/gates/{gateId}/close", CloseGate);
        api.MapPost("/gates/{gateId}/reset", ResetGate);
        api.MapGet("/ledger/tail", Tail);
        api.MapGet("/ledger/events", Events);
        api.MapGet("/ledger/verify", Verify);
        api.MapGet("/sync", SyncStatus);
        api.MapPost("/sync/now", SyncNow);
        api.MapGet("/leases", Leases);
        api.MapPost("/tickets/find", FindTicket);
        api.MapPost("/selftest", SelfTest);
        api.MapGet("/diag", Diag);
        return api;
    }

    private static async Task<Ok<StatusResponse>> GetStatus(ControlService control, CancellationToken cancellationToken) =>
        TypedResults.Ok(await control.GetStatusAsync(cancellationToken));

    private static Ok<DevicesResponse> GetDevices(ControlService control) => TypedResults.Ok(new DevicesResponse(control.GetDevices()));

    private static async Task<Ok<SensorsResponse>> GetSensors(ControlService control, CancellationToken cancellationToken) =>
        TypedResults.Ok(await control.GetSensorsAsync(cancellationToken));

    private static Ok<GatesResponse> GetGates(ControlService control) => TypedResults.Ok(control.GetGates());

    private static Task<Results<Ok<GateCommandResponse>, JsonHttpResult<ControlError>>> OpenGate(string gateId, GateCommandRequest request, ControlService control, CancellationToken cancellationToken) =>
        CommandGate(gateId, open: true, request, control, cancellationToken);

    private static Task<Results<Ok<GateCommandResponse>, JsonHttpResult<ControlError>>> CloseGate(string gateId, GateCommandRequest request, ControlService control, CancellationToken cancellationToken) =>
        CommandGate(gateId, open: false, request, control, cancellationToken);

    private static async Task<Results<Ok<GateCommandResponse>, JsonHttpResult<ControlError>>> ResetGate(string gateId, GateCommandRequest request, ControlService control, CancellationToken cancellationToken)
    {
        var (done, refused) = await control.ResetGateAsync(gateId, request, cancellationToken);
        return done is not null ? TypedResults.Ok(done) : Refuse(refused!);
    }

    private static async Task<Results<Ok<GateCommandResponse>, JsonHttpResult<ControlError>>> CommandGate(string gateId, bool open, GateCommandRequest request, ControlService control, CancellationToken cancellationToken)
    {
        var (done, refused) = await control.CommandGateAsync(gateId, open, request, cancellationToken);
        return done is not null ? TypedResults.Ok(done) : Refuse(refused!);
    }

    private static async Task<Ok<EventsResponse>> Tail(ControlService control, int? n, CancellationToken cancellationToken) =>
        TypedResults.Ok(await control.TailAsync(n ?? 20, cancellationToken));

    private static async Task<Results<Ok<EventsResponse>, JsonHttpResult<ControlError>>> Events(ControlService control, long? after, int? limit, string? from, string? to, CancellationToken cancellationToken)
    {
        if (!TryTime(from, out var fromTime) || !TryTime(to, out var toTime))
        {
            return Refuse(new ControlRefusal(400, "from and to must be ISO 8601 times, e.g. 2026-03-01T00:00:00Z"));
        }

        return TypedResults.Ok(await control.EventsAsync(after ?? 0, limit ?? 1000, fromTime, toTime, cancellationToken));
    }

    private static async Task<Ok<VerifyResponse>> Verify(ControlService control, CancellationToken cancellationToken) =>
        TypedResults.Ok(await control.VerifyAsync(cancellationToken));

    private static Ok<SyncStatusResponse> SyncStatus(ControlService control) => TypedResults.Ok(control.SyncStatus());

    private static Ok<SyncNowResponse> SyncNow(ControlService control) => TypedResults.Ok(control.SyncNow());

    private static Ok<LeasesResponse> Leases(ControlService control) => TypedResults.Ok(control.Leases());

    private static async Task<Results<Ok<TicketView>, JsonHttpResult<ControlError>>> FindTicket(TicketQuery query, ControlService control, CancellationToken cancellationToken)
    {
        var (ticket, refused) = await control.FindTicketAsync(query.Query, cancellationToken);
        return ticket is not null ? TypedResults.Ok(ticket) : Refuse(refused!);
    }

    private static async Task<Results<Ok<SelfTestResponse>, JsonHttpResult<ControlError>>> SelfTest(SelfTestRequest request, ControlService control, CancellationToken cancellationToken)
    {
        var (done, refused) = await control.SelfTestAsync(request, cancellationToken);
        return done is not null ? TypedResults.Ok(done) : Refuse(refused!);
    }

    private static Ok<DiagResponse> Diag(ControlService control) => TypedResults.Ok(control.Diag());

    private static JsonHttpResult<ControlError> Refuse(ControlRefusal refusal) =>
        TypedResults.Json(new ControlError(refusal.Error), ControlJsonContext.Default.ControlError, statusCode: refusal.StatusCode);

    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
