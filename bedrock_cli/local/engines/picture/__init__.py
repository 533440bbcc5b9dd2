"""Building blocks of the emulator's image engine (the public face is `engines/diffusion.py`).

- `vocab`, `colors`, `prompt`: prompt text -> a `Composition` (what to draw);
- `noise`: seeded value noise and small array helpers;
- `sky`, `land`, `scene`: a `Composition` -> a painted background (sky, clouds, sun, moon,
  sea, hills, mountains, fields, trees, city, ...), or a backdrop, or an abstract piece;
- `drawing`: shapes and lettering drawn crisply at full resolution;
- `style`: style looks (anime, watercolor, sketch, ...), palette guidance, control images;
- `compose`: the stages above put together into the target image x0;
- `sampler`: noise schedule, DDIM timesteps, guidance and the reverse process;
- `masks`: background removal, masks from a phrase, filling holes from their surroundings;
- `frames`: recording intermediate steps and writing them as an animated GIF.

All of it is pure: numpy and Pillow in, numpy and Pillow out, no I/O (except `steps_gif`
writing where it is told), no global RNG, no clock.
"""
