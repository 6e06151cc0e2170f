using DirectoryService.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDirectorySilo();

var app = builder.Build();
app.MapDirectorySilo();
app.Run();
