using System.Device.Gpio;
using System.Device.I2c;
using System.Device.Spi;
using System.IO.Ports;

namespace ParkingLot.Edge.Hardware;

/// <summary>
/// The buses the real drivers are opened on: one GPIO controller for the whole agent (lanes, space
/// sensors, kiosk), I2C and SPI devices, device files (the usblp printer) and serial ports (printers
/// on a UART, 2D-code scanners). On a Pi <see cref="Linux"/> opens the real ones; tests hand the
/// production composition a <see cref="GpioController"/> over a <c>SimulatedGpioDriver</c> and streams
/// of their own, so the code that runs on the Pi is the code under test. Owns what it opened.
/// </summary>
internal sealed class HardwareBuses : IDisposable
{
    private readonly Lazy<GpioController> _gpio;
    private readonly Func<I2cConnectionSettings, I2cDevice> _openI2c;
    private readonly Func<SpiConnectionSettings, SpiDevice> _openSpi;
    private readonly Func<string, Stream> _openDeviceFile;
    private readonly Func<string, int, Stream> _openSerial;
    private readonly List<IDisposable> _owned = [];
    private readonly Lock _lock = new();

    /// <param name="openGpio">Opens the GPIO controller, once, on first use (a lot with no GPIO device never opens the chip).</param>
    /// <param name="openI2c">Opens one I2C device.</param>
    /// <param name="openSpi">Opens one SPI device.</param>
    /// <param name="openDeviceFile">Opens a character device read/write (e.g. /dev/usb/lp0).</param>
    /// <param name="openSerial">Opens a serial port at a baud rate, as a byte stream.</param>
    public HardwareBuses(
        Func<GpioController> openGpio,
        Func<I2cConnectionSettings, I2cDevice> openI2c,
        Func<SpiConnectionSettings, SpiDevice> openSpi,
        Func<string, Stream> openDeviceFile,
        Func<string, int, Stream> openSerial)
    {
        _gpio = new Lazy<GpioController>(openGpio, LazyThreadSafetyMode.ExecutionAndPublication);
        _openI2c = openI2c;
        _openSpi = openSpi;
        _openDeviceFile = openDeviceFile;
        _openSerial = openSerial;
    }

    /// <summary>The agent's GPIO controller; drivers open their pins on it with <c>shouldDispose: false</c>.</summary>
    public GpioController Gpio => _gpio.Value;

    /// <summary>The Pi's own buses: the GPIO chip through libgpiod, /dev/i2c-N, /dev/spidevB.C, device files and serial ports.</summary>
    public static HardwareBuses Linux() => new(
        () => new GpioController(),
        I2cDevice.Create,
        SpiDevice.Create,
        path => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0),
        (port, baud) =>
        {
            var serial = new SerialPort(port, baud);
            serial.Open();
            return new SerialPortStream(serial);
        });

    public I2cDevice OpenI2c(int bus, int address) => Own(_openI2c(new I2cConnectionSettings(bus, address)));

    public SpiDevice OpenSpi(SpiConnectionSettings settings) => Own(_openSpi(settings));

    public Stream OpenDeviceFile(string path) => Own(_openDeviceFile(path));

    public Stream OpenSerial(string port, int baudRate) => Own(_openSerial(port, baudRate));

    public void Dispose()
    {
        lock (_lock)
        {
            for (var i = _owned.Count - 1; i >= 0; i--)
            {
                _owned[i].Dispose();
            }

            _owned.Clear();
        }

        if (_gpio.IsValueCreated)
        {
            _gpio.Value.Dispose();
        }
    }

    private T Own<T>(T device)
        where T : IDisposable
    {
        lock (_lock)
        {
            _owned.Add(device);
        }

        return device;
    }

    /// <summary>A serial port's base stream that closes the port with it.</summary>
    private sealed class SerialPortStream(SerialPort port) : Stream
    {
        private readonly Stream _inner = port.BaseStream;

        public override bool CanRead => _inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => _inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                port.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
