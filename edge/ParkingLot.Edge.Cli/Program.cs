using ParkingLot.Edge.Cli;

return await Parkctl.RunAsync(args, Console.Out, Console.Error);
