using System.Drawing;
using Iot.Device.Graphics;

namespace ParkingLot.Edge.Hardware.Display;

/// <summary>
/// A minimal in-memory image factory for Iot.Device.Graphics. The SSD13xx constructor clears the
/// screen through <see cref="BitmapImage.CreateBitmap"/>, which throws unless a factory is
/// registered; the stock one is the SkiaSharp adapter, a native dependency we do not want on the Pi
/// for a text-only display. Only what the binding calls is supported: pixels and raw bytes.
/// </summary>
internal sealed class MonochromeImageFactory : IImageFactory
{
    private static readonly Lock Registration = new();
    private static bool _registered;

    /// <summary>Registers this factory once per process (the binding's registry is static).</summary>
    public static void EnsureRegistered()
    {
        lock (Registration)
        {
            if (!_registered)
            {
                BitmapImage.RegisterImageFactory(new MonochromeImageFactory());
                _registered = true;
            }
        }
    }

    public BitmapImage CreateBitmap(int width, int height, PixelFormat pixelFormat) => new ArgbImage(width, height);

    public BitmapImage CreateFromStream(Stream file) =>
        throw new NotSupportedException("Loading image files needs the SkiaSharp adapter; text displays do not.");

    private sealed class ArgbImage(int width, int height) : BitmapImage(width, height, width * 4, PixelFormat.Format32bppArgb)
    {
        private readonly int[] _pixels = new int[width * height];

        public override void SetPixel(int x, int y, Color color) => _pixels[(y * Width) + x] = color.ToArgb();

        public override Color GetPixel(int x, int y) => Color.FromArgb(_pixels[(y * Width) + x]);

        public override Span<byte> AsByteSpan() => System.Runtime.InteropServices.MemoryMarshal.AsBytes(_pixels.AsSpan());

        public override void SaveToStream(Stream stream, ImageFileType format) =>
            throw new NotSupportedException("Saving images needs the SkiaSharp adapter.");

        public override IGraphics GetDrawingApi() =>
            throw new NotSupportedException("Drawing needs the SkiaSharp adapter; Ssd1306GateDisplay renders its own text.");

        protected override void Dispose(bool disposing)
        {
        }
    }
}
