using System.Buffers.Text;
using System.Security.Cryptography;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Shared.Tests;

public sealed class CredentialTests : IDisposable
{
    private const string LotId = "demo-lot";
    private static readonly DateTimeOffset Issued = new(2026, 11, 3, 12, 30, 0, TimeSpan.Zero);

    private readonly ECDsa _edgeKey = CredentialKeys.CreateKeyPair();
    private readonly ECDsa _cloudKey = CredentialKeys.CreateKeyPair();
    private readonly CredentialSigner _edge;
    private readonly CredentialSigner _cloud;
    private readonly CredentialVerifier _verifier;

    public CredentialTests()
    {
        _edge = new CredentialSigner("edge-demo-lot-1", _edgeKey, CredentialKinds.Ticket);
        _cloud = new CredentialSigner("cloud-2026", _cloudKey, CredentialKinds.Cloud);
        _verifier = new CredentialVerifier(new Dictionary<string, TrustedKey>
        {
            ["edge-demo-lot-1"] = new(_edgeKey, CredentialKinds.Ticket),
            ["cloud-2026"] = new(_cloudKey, CredentialKinds.Cloud),
        });
    }

    public static TheoryData<Credential> EachKind => new()
    {
        Ticket(),
        new Credential(CredentialKind.Pass, LotId, "bk_01JC8Z6M3Q9W", VehicleType.Ev, "E004", Issued, Issued.AddHours(3), 2),
        new Credential(CredentialKind.Permit, LotId, "permit-4711", VehicleType.Motorcycle, null, Issued, Issued.AddDays(365), 0),
        new Credential(CredentialKind.Pass, LotId, "bk-ä-ü", VehicleType.Accessible, "A001", Issued, Issued.AddMinutes(90), int.MaxValue),
    };

    public void Dispose()
    {
        _edgeKey.Dispose();
        _cloudKey.Dispose();
    }

    [Theory]
    [MemberData(nameof(EachKind))]
    public void Verify_SignedCredential_RoundTripsAsValid(Credential credential)
    {
        var signer = credential.Kind == CredentialKind.Ticket ? _edge : _cloud;
        var code = signer.Sign(credential);

        var check = _verifier.Verify(code, LotId, Issued.AddMinutes(1));

        Assert.Equal(CredentialStatus.Valid, check.Status);
        Assert.True(check.IsValid);
        Assert.Equal(credential, check.Credential);
        Assert.StartsWith("PL1.", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_TypicalTicket_FitsComfortablyInAQrCode()
    {
        var code = _edge.Sign(Ticket());

        Assert.True(code.Length < 200, $"{code.Length} chars: {code}");
    }

    [Fact]
    public void Sign_SubSecondTimes_AreTruncatedToWholeUtcSeconds()
    {
        var local = new DateTimeOffset(2026, 11, 3, 13, 30, 0, 789, TimeSpan.FromHours(1));
        var code = _edge.Sign(Ticket() with { ValidFrom = local });

        var check = _verifier.Verify(code, LotId, local.AddSeconds(1));

        Assert.Equal(new DateTimeOffset(2026, 11, 3, 12, 30, 0, TimeSpan.Zero), check.Credential!.ValidFrom);
        Assert.Equal(TimeSpan.Zero, check.Credential.ValidFrom.Offset);
    }

    [Fact]
    public void Verify_AnySingleBitFlippedInPayload_IsRefused()
    {
        var code = _cloud.Sign(new Credential(CredentialKind.Pass, LotId, "bk_01JC8Z6M3Q9W", VehicleType.Ev, "E004", Issued, Issued.AddHours(3), 2));
        var parts = code.Split('.');
        var payload = Base64Url.DecodeFromChars(parts[1]);

        for (var bit = 0; bit < payload.Length * 8; bit++)
        {
            var altered = (byte[])payload.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            var alteredCode = $"{parts[0]}.{Base64Url.EncodeToString(altered)}.{parts[2]}";

            var check = _verifier.Verify(alteredCode, LotId, Issued.AddMinutes(1));

            Assert.False(check.IsValid, $"payload bit {bit} flipped was accepted");
            Assert.Null(check.Credential);
        }
    }

    [Fact]
    public void Verify_AnySingleBitFlippedInSignature_IsRefused()
    {
        var code = _edge.Sign(Ticket());
        var parts = code.Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);

        for (var bit = 0; bit < signature.Length * 8; bit++)
        {
            var altered = (byte[])signature.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            var alteredCode = $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(altered)}";

            var check = _verifier.Verify(alteredCode, LotId, Issued.AddMinutes(1));

            Assert.Equal(CredentialStatus.BadSignature, check.Status);
        }
    }

    [Fact]
    public void Verify_CredentialForAnotherLot_IsWrongLotNamingIt()
    {
        var code = _edge.Sign(Ticket() with { LotId = "harbour-lot" });

        var check = _verifier.Verify(code, LotId, Issued.AddMinutes(1));

        Assert.Equal(CredentialStatus.WrongLot, check.Status);
        Assert.Equal("Ticket is for lot harbour-lot.", check.Reason);
    }

    [Theory]
    [InlineData(-1, CredentialStatus.NotYetValid)]
    [InlineData(0, CredentialStatus.Valid)]
    [InlineData(179, CredentialStatus.Valid)]
    [InlineData(180, CredentialStatus.Expired)]
    [InlineData(10_000, CredentialStatus.Expired)]
    public void Verify_PassWindow_IsReportedAsSuch(int minutesAfterStart, CredentialStatus expected)
    {
        var pass = new Credential(CredentialKind.Pass, LotId, "bk-1", VehicleType.Car, null, Issued, Issued.AddHours(3), 1);
        var code = _cloud.Sign(pass);

        var check = _verifier.Verify(code, LotId, Issued.AddMinutes(minutesAfterStart));

        Assert.Equal(expected, check.Status);
        Assert.Equal(pass, check.Credential);
    }

    [Fact]
    public void Verify_ExpiredPass_ReasonSaysWhen()
    {
        var code = _cloud.Sign(new Credential(CredentialKind.Pass, LotId, "bk-1", VehicleType.Car, null, Issued, Issued.AddHours(3), 1));

        var check = _verifier.Verify(code, LotId, Issued.AddDays(1));

        Assert.Equal("Pass expired at 2026-11-03 15:30 UTC.", check.Reason);
    }

    [Fact]
    public void Verify_TicketWithoutValidTo_NeverExpires()
    {
        var code = _edge.Sign(Ticket());

        Assert.Equal(CredentialStatus.Valid, _verifier.Verify(code, LotId, Issued.AddYears(5)).Status);
    }

    public static TheoryData<string?> Garbage => new()
    {
        null,
        string.Empty,
        "   ",
        "hello",
        "PL1.",
        "PL1..",
        "PL1.AAAA",
        "PL1.AAAA.",
        "PL1..AAAA",
        "PL1.AAAA.AAAA",
        "PL1.AAAA.AAAA.AAAA",
        "PL2.AAAA.AAAA",
        "pl1.AAAA.AAAA",
        "PL1.!!!!.AAAA",
        "PL1.AAAA=.AAAA",
        "PL1.A.AAAA",
        "PL1.AQEBAQ." + new string('A', 86),
        "PL1." + new string('A', 40) + "." + new string('A', 86),
        "PL1." + new string('/', 40) + "." + new string('A', 86),
        "PL1.\u00e9\u00e9\u00e9\u00e9." + new string('A', 86),
        "PL1.////." + new string('A', 86),
        "PL1." + new string('A', 10_000) + "." + new string('A', 86),
        new string('x', 1_000_000),
        "\0\0\0\0",
        "PL1.\uD800.AAAA",
        "https://example.com/?code=PL1.AAAA.AAAA",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Verify_GarbageText_IsMalformedWithAReason(string? code)
    {
        var check = _verifier.Verify(code!, LotId, Issued);

        Assert.Equal(CredentialStatus.Malformed, check.Status);
        Assert.Null(check.Credential);
        Assert.False(string.IsNullOrWhiteSpace(check.Reason));
    }

    [Fact]
    public void Verify_RandomBytesAfterPrefix_NeverThrowsOrValidates()
    {
        var random = new Random(20261103);
        for (var i = 0; i < 2_000; i++)
        {
            var payload = new byte[random.Next(0, 120)];
            random.NextBytes(payload);
            var signature = new byte[random.Next(0, 2) == 0 ? 64 : random.Next(0, 80)];
            random.NextBytes(signature);
            var code = $"PL1.{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(signature)}";

            var check = _verifier.Verify(code, LotId, Issued);

            Assert.NotEqual(CredentialStatus.Valid, check.Status);
        }
    }

    [Fact]
    public void Verify_TrailingNewlineFromScanner_IsTolerated()
    {
        var code = _edge.Sign(Ticket());

        Assert.Equal(CredentialStatus.Valid, _verifier.Verify(code + "\r\n", LotId, Issued).Status);
    }

    [Fact]
    public void Verify_UnknownKeyId_IsUnknownKey()
    {
        using var otherKey = CredentialKeys.CreateKeyPair();
        var code = new CredentialSigner("edge-other-lot-1", otherKey, CredentialKinds.Ticket).Sign(Ticket());

        var check = _verifier.Verify(code, LotId, Issued);

        Assert.Equal(CredentialStatus.UnknownKey, check.Status);
    }

    [Fact]
    public void Verify_SameKeyIdButDifferentKey_IsBadSignature()
    {
        using var impostorKey = CredentialKeys.CreateKeyPair();
        var code = new CredentialSigner("edge-demo-lot-1", impostorKey, CredentialKinds.Ticket).Sign(Ticket());

        var check = _verifier.Verify(code, LotId, Issued);

        Assert.Equal(CredentialStatus.BadSignature, check.Status);
        Assert.Equal("Code is forged or altered.", check.Reason);
    }

    [Fact]
    public void Verify_BadSignatureOnOtherLotsCode_ReportsSignatureBeforeLot()
    {
        using var impostorKey = CredentialKeys.CreateKeyPair();
        var code = new CredentialSigner("edge-demo-lot-1", impostorKey, CredentialKinds.Ticket).Sign(Ticket() with { LotId = "harbour-lot" });

        Assert.Equal(CredentialStatus.BadSignature, _verifier.Verify(code, LotId, Issued).Status);
    }

    [Fact]
    public void Verify_WithKeysExchangedAsText_Verifies()
    {
        using var publicOnly = CredentialKeys.ImportPublicKey(CredentialKeys.ExportPublicKey(_edgeKey));
        using var privateCopy = CredentialKeys.ImportPrivateKeyPem(CredentialKeys.ExportPrivateKeyPem(_edgeKey));
        var code = new CredentialSigner("edge-demo-lot-1", privateCopy, CredentialKinds.Ticket).Sign(Ticket());
        var verifier = new CredentialVerifier(new Dictionary<string, TrustedKey> { ["edge-demo-lot-1"] = new(publicOnly, CredentialKinds.Ticket) });

        Assert.Equal(CredentialStatus.Valid, verifier.Verify(code, LotId, Issued).Status);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", CredentialKeys.ExportPrivateKeyPem(_edgeKey), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void TryImportPublicKey_BadText_ReturnsFalseWithError(string text)
    {
        Assert.False(CredentialKeys.TryImportPublicKey(text, out var key, out var error));
        Assert.Null(key);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => CredentialKeys.ImportPublicKey(text));
    }

    [Fact]
    public void Constructors_NonP256Key_AreRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => new CredentialSigner("k", p384, CredentialKinds.Ticket));
        Assert.Throws<ArgumentException>(() => new CredentialVerifier(new Dictionary<string, TrustedKey> { ["k"] = new(p384, CredentialKinds.Ticket) }));
        Assert.Throws<FormatException>(() => CredentialKeys.ImportPublicKey(CredentialKeys.ExportPublicKey(p384)));
    }

    public static TheoryData<Credential> Unsignable => new()
    {
        Ticket() with { Kind = CredentialKind.None },
        Ticket() with { LotId = string.Empty },
        Ticket() with { Id = new string('x', 256) },
        Ticket() with { SpotId = string.Empty },
        Ticket() with { Version = -1 },
        Ticket() with { ValidFrom = new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero) },
        Ticket() with { ValidTo = Issued.AddSeconds(-1) },
        Ticket() with { VehicleType = (VehicleType)42 },
    };

    [Theory]
    [MemberData(nameof(Unsignable))]
    public void Sign_InvalidCredential_Throws(Credential credential)
    {
        Assert.Throws<ArgumentException>(() => _edge.Sign(credential));
    }

    [Fact]
    public void Sign_EdgeTicketKeyAskedForAPass_IsRefused()
    {
        var pass = new Credential(CredentialKind.Pass, LotId, "bk-1", VehicleType.Car, null, Issued, Issued.AddHours(3), 1);

        var refused = Assert.Throws<ArgumentException>(() => _edge.Sign(pass));

        Assert.Contains("not a Pass", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _edge.Sign(pass with { Kind = CredentialKind.Permit }));
    }

    [Fact]
    public void Sign_CloudPassKeyAskedForATicket_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => _cloud.Sign(Ticket()));
    }

    [Fact]
    public void Verify_PassSignedWithTheEdgeTicketKey_IsRefusedAsTheWrongKeyForAPass()
    {
        // An attacker holding the edge's key (or a signer without the binding) signs a pass with it.
        var rogue = new CredentialSigner("edge-demo-lot-1", _edgeKey, CredentialKinds.Ticket | CredentialKinds.Pass);
        var code = rogue.Sign(new Credential(CredentialKind.Pass, LotId, "bk-1", VehicleType.Car, null, Issued, Issued.AddHours(3), 1));

        var check = _verifier.Verify(code, LotId, Issued.AddMinutes(1));

        Assert.Equal(CredentialStatus.UnknownKey, check.Status);
        Assert.Null(check.Credential);
        Assert.Contains("may not sign a pass", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TicketSignedWithTheCloudPassKey_IsRefusedAsTheWrongKeyForATicket()
    {
        var rogue = new CredentialSigner("cloud-2026", _cloudKey, CredentialKinds.Ticket);
        var code = rogue.Sign(Ticket());

        var check = _verifier.Verify(code, LotId, Issued.AddMinutes(1));

        Assert.Equal(CredentialStatus.UnknownKey, check.Status);
        Assert.Contains("may not sign a ticket", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_KeyBoundToNoKind_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CredentialSigner("k", _edgeKey, CredentialKinds.None));
    }

    private static Credential Ticket() =>
        new(CredentialKind.Ticket, LotId, "T-20261103-000123", VehicleType.Car, null, Issued, null, 0);
}
