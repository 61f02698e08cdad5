using System.Text.Json.Nodes;

namespace ParkingLot.Edge.Tests.Lots;

/// <summary>
/// Gives a <see cref="Builders.LotFileBuilder"/> lot the devices of a real two-lane lot (pins as in
/// hardware/wiring.md and hardware/lots/demo-lot.json), a kiosk and permit cards, so tests can break one device member.
/// </summary>
internal static class LotDevices
{
    public static void Add(JsonObject root)
    {
        root["gates"]![0]!["devices"] = JsonNode.Parse("""
            {
              "loop": { "pin": 5 }, "passedLoop": { "pin": 6 }, "beam": { "pin": 12 },
              "barrier": { "relayPin": 17, "openFeedbackPin": 18, "closedFeedbackPin": 23, "travelTimeoutMs": 6000 },
              "printer": { "device": "/dev/usb/lp0" },
              "display": { "type": "lcd", "address": 39 },
              "nfc": { "type": "pn532", "bus": "i2c", "address": 36 }
            }
            """);
        root["gates"]![1]!["devices"] = JsonNode.Parse("""
            {
              "loop": { "pin": 19 }, "passedLoop": { "pin": 26 }, "beam": { "pin": 13 },
              "barrier": { "relayPin": 22, "openFeedbackPin": 24, "closedFeedbackPin": 25 },
              "display": { "type": "ssd1306", "address": 60 },
              "nfc": { "type": "mfrc522", "bus": "spi", "chipSelect": 1, "resetPin": 4 }
            }
            """);
        root["spots"]![0]!["sensor"] = JsonNode.Parse("""{ "kind": "gpio", "pin": 27 }""");
        root["spots"]![1]!["sensor"] = JsonNode.Parse("""{ "kind": "hcsr04", "triggerPin": 20, "echoPin": 21 }""");
        root["spots"]![2]!["sensor"] = JsonNode.Parse("""{ "kind": "mqtt" }""");
        root["spots"]![4]!["sensor"] = JsonNode.Parse("""{ "kind": "vl53l0x", "address": 41 }""");
        root["kiosk"] = JsonNode.Parse("""
            {
              "listen": "127.0.0.1:8088",
              "coinAcceptor": { "pin": 16, "pulseValue": 50 },
              "cardTerminal": { "type": "simulated" },
              "printer": { "serialPort": "/dev/serial0" }
            }
            """);
        root["permits"] = JsonNode.Parse("""
            [
              { "cardUid": "04A1B2C3D4E5F6", "permitId": "P-1", "vehicleType": "car", "validUntil": "2027-12-31T23:59:59Z" },
              { "cardUid": "0A1B2C3D", "permitId": "P-2", "vehicleType": "ev", "validUntil": "2027-12-31T23:59:59Z" }
            ]
            """);
    }
}
