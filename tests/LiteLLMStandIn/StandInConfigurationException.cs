namespace StackModel.LiteLLMStandIn;

/// <summary>A setting the proxy needs at boot is missing or wrong; the message says which and how to fix it.</summary>
internal sealed class StandInConfigurationException(string message) : Exception(message);
