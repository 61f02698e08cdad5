using System.Text.Json;
using System.Text.Json.Serialization;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Tests;

public sealed class WireNamesTests
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    [Fact]
    public void Of_EveryVehicleType_WhatTheJsonConverterWrites() =>
        Assert.All(Enum.GetValues<VehicleType>(), t => Assert.Equal(JsonSerializer.Serialize(t, Json), $"\"{WireNames.Of(t)}\""));

    [Fact]
    public void All_VehicleTypes_InDeclarationOrderAndCamelCase()
    {
        Assert.Equal(Enum.GetValues<VehicleType>().Length, WireNames.All<VehicleType>().Count);
        Assert.Equal("car", WireNames.All<VehicleType>()[0]);
        Assert.All(WireNames.All<VehicleType>(), n => Assert.True(char.IsLower(n[0]), n));
    }
}
