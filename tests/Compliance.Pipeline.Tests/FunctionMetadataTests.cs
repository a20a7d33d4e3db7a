using System.Reflection;
using System.Text.Json;
using Compliance.LocalStack;
using Microsoft.Azure.WebJobs;

namespace Compliance.Pipeline.Tests;

/// <summary>The Azure app and the local host must bind the same trigger; the built app's metadata says what Azure will see.</summary>
[TestClass]
public sealed class FunctionMetadataTests
{
    [TestMethod]
    public void BuiltFunctionsApp_DeclaresTheBlobTriggerOnTheIntendedPathAndConnection()
    {
        var binding = Metadata().EnumerateArray().Single(f => f.GetProperty("name").GetString() == FilingTrigger.FunctionName)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");

        Assert.AreEqual("filings/{uscc}/{name}", binding.GetProperty("path").GetString());
        Assert.AreEqual("FilingsStorage", binding.GetProperty("connection").GetString());
        Assert.AreEqual("EventGrid", binding.GetProperty("source").GetString(), "Flex Consumption supports only the Event Grid source");
    }

    [TestMethod]
    public void LocalHost_BindsTheSamePathAndConnectionAsTheApp()
    {
        var binding = Metadata().EnumerateArray().Single(f => f.GetProperty("name").GetString() == FilingTrigger.FunctionName)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");
        var method = typeof(LocalFilingFunctions).GetMethod(nameof(LocalFilingFunctions.CheckFilingAsync))!;
        var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<BlobTriggerAttribute>()).Single(a => a is not null)!;

        Assert.AreEqual(binding.GetProperty("path").GetString(), trigger.BlobPath);
        Assert.AreEqual(binding.GetProperty("connection").GetString(), trigger.Connection);
        Assert.AreEqual(FilingTrigger.FunctionName, method.GetCustomAttribute<FunctionNameAttribute>()!.Name);
    }

    [TestMethod]
    [DataRow(Rechecks.RecheckTriggers.PlanFunctionName, nameof(LocalRecheckFunctions.PlanAsync), "recheck-plans")]
    [DataRow(Rechecks.RecheckTriggers.FilingFunctionName, nameof(LocalRecheckFunctions.RecheckAsync), "recheck-filings")]
    public void RecheckQueues_TheAppAndTheLocalHostBindTheSameQueueAndConnection(string function, string localMethod, string queue)
    {
        var binding = Metadata().EnumerateArray().Single(f => f.GetProperty("name").GetString() == function)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "queueTrigger");
        var method = typeof(LocalRecheckFunctions).GetMethod(localMethod)!;
        var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).Single(a => a is not null)!;

        Assert.AreEqual(queue, binding.GetProperty("queueName").GetString());
        Assert.AreEqual("FilingsStorage", binding.GetProperty("connection").GetString());
        Assert.AreEqual(queue, trigger.QueueName);
        Assert.AreEqual("FilingsStorage", trigger.Connection);
        Assert.AreEqual(function, method.GetCustomAttribute<FunctionNameAttribute>()!.Name);
    }

    [TestMethod]
    public void HostJson_DeliversAQueueMessageAsOftenAsTheRecheckCountsOnBeforeThePoisonQueue()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples.Root, "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");

        Assert.AreEqual(Storage.RecheckQueues.MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32(), "the last delivery is where a failure is recorded before the platform poisons the message");
    }

    private static JsonElement Metadata()
    {
        // Same configuration as this test assembly (bin/<Configuration>/net10.0).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(Samples.Root, "src", "ComplianceFunctions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.IsTrue(File.Exists(path), $"build the Functions app first: {path}");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }
}
