"""The members' directory (/directory): the people who agreed to be listed and the Forum's member
organisations, with only what members may see of them. Open to every logged-in user."""
