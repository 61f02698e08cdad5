using System.Text;
using System.Diagnostics;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>Lot files: edge-only fields ignored, a bad file refused with its path and line (I9).</summary>
public sealed class LotFileTests
{
    [Fact]
    public void Parse_DemoLotFile_ReadsSpotsAndIgnoresEdgeFields()
    {
        var path = Path.Combine(RepositoryRoot(), "hardware", "lots", "demo-lot.json");

        var lot = LotFile.Parse(path, File.ReadAllBytes(path));

        Assert.Equal("demo-lot", lot.LotId);
        Assert.NotEmpty(lot.Spots);
        Assert.Equal(lot.Spots.Count, lot.Spots.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public void Parse_BuilderFileWithGatesAndTariff_ReadsTheLot()
    {
        var json = new LotFileBuilder().WithLotId("built").WithSpots(VehicleType.Truck, 2).ToJson();

        var lot = LotFile.Parse("built.json", Encoding.UTF8.GetBytes(json));

        Assert.Equal(["T1", "T2"], lot.Spots.Select(s => s.Id));
    }

    [Theory]
    [InlineData("{\n  \"lotId\": \"x\",\n  \"name\": \"X\",\n  \"timeZone\": \"UTC\", \"location\": null,\n  \"spots\": [\n    { \"id\": \"C1\", \"vehicleType\": \"car\", \"zone\": \"C\", \"sensorId\": null },,\n  ]\n}", 6)]
    [InlineData("{\n  \"lotId\": \"x\",\n  \"name\": \"X\",\n  \"timeZone\": \"UTC\", \"location\": null,\n  \"spots\": [\n    { \"id\": \"C1\", \"vehicleType\": \"bus\", \"zone\": \"C\", \"sensorId\": null }\n  ]\n}", 6)]
    [InlineData("{\n  \"lotId\": \"x y\",\n  \"name\": \"X\",\n  \"timeZone\": \"UTC\", \"location\": null,\n  \"spots\": [ { \"id\": \"C1\", \"vehicleType\": \"car\", \"zone\": \"C\", \"sensorId\": null } ]\n}", 2)]
    [InlineData("{\n  \"lotId\": \"x\",\n  \"name\": \"X\",\n  \"timeZone\": \"UTC\", \"location\": null,\n  \"spots\": [\n    { \"id\": \"C1\", \"vehicleType\": \"car\", \"zone\": \"C\", \"sensorId\": null },\n    { \"id\": \"C1\", \"vehicleType\": \"car\", \"zone\": \"C\", \"sensorId\": null }\n  ]\n}", 7)]
    public void Parse_BadFile_ReportsPathAndLine(string json, int line)
    {
        var ex = Assert.Throws<LotFileException>(() => LotFile.Parse("lots/bad.json", Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith($"lots/bad.json:{line}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredField_IsRefused()
    {
        var ex = Assert.Throws<LotFileException>(() => LotFile.Parse("lots/bad.json", "{\"lotId\":\"x\",\"name\":\"X\",\"spots\":[]}"u8.ToArray()));

        Assert.Contains("timeZone", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithBadSeedFile_ExitsWithPathAndLine()
    {
        // A separate process: a second in-process host would share (and on disposal retire) the
        // process-wide metric instruments of the CloudApplication the other tests use.
        var directory = Directory.CreateTempSubdirectory("parkinglot-cloud-badseed-");
        try
        {
            var path = Path.Combine(directory.FullName, "broken.json");
            await File.WriteAllTextAsync(path, "{\n  \"lotId\": \"broken\",\n  \"name\": \n}\n");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory.FullName,
            };
            foreach (var arg in (string[])[
                Path.Combine(AppContext.BaseDirectory, "ParkingLot.Cloud.dll"),
                "--urls", "http://127.0.0.1:0",
                "--Storage:DataDirectory", Path.Combine(directory.FullName, "store"),
                "--Mqtt:ListenPort", CloudApplication.FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--Lots:SeedFiles:0", "broken.json"])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Token);
            var error = process.StandardError.ReadToEndAsync(TestContext.Token);
            await process.WaitForExitAsync(TestContext.Token);

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("broken.json:4: ", await output + await error, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ParkingLot.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ParkingLot.sln not found above the test binaries.");
    }
}
