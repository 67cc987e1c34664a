Console.WriteLine("DLBricks sample generator: not yet implemented.");
return 0;
