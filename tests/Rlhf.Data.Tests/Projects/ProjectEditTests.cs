using Rlhf.Core.Projects;
using Rlhf.Data.Projects;

namespace Rlhf.Data.Tests.Projects;

public class ProjectEditTests
{
    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]      // votes final at once
    [InlineData(30, true)]
    [InlineData(1440, true)]
    [InlineData(1441, false)]
    public void The_window_for_changing_votes_is_0_to_a_day_and_travels_with_the_settings(int minutes, bool valid)
    {
        Assert.Equal(30, new ProjectEdit().VoteChangeMinutes);
        var edit = new ProjectEdit { Name = "P", VoteChangeMinutes = minutes };
        var errors = edit.Validate();
        Assert.Equal(valid ? [] : ["Changing votes: between 0 (votes are final at once) and 1440 minutes (a day)."], errors);

        var project = new Project();
        edit.ApplyTo(project);
        Assert.Equal(minutes, project.VoteChangeMinutes);
        Assert.Equal(minutes, ProjectEdit.From(project, []).VoteChangeMinutes);
    }
}
