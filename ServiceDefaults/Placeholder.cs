namespace StackModel.ServiceDefaults;

internal static class Placeholder;
